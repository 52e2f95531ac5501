// Command testsummary reads `go test -json` from stdin, prints each
// package's result and the output of every failed test, and ends with one
// line "N passed, N failed, N skipped". It exits 1 when anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	var passed, failed, skipped int
	output := map[string][]string{} // package/test → lines
	var failedTests []string
	var skippedTests []string
	pkgFailed := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			// Build errors and other non-JSON lines are shown as they come.
			fmt.Println(string(line))
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
			} else {
				fmt.Printf("ok    %s (%.1fs)\n", e.Package, e.Elapsed)
			}
			delete(output, key)
		case "fail":
			if e.Test != "" {
				failed++
				failedTests = append(failedTests, key)
			} else {
				pkgFailed = true
				fmt.Printf("FAIL  %s (%.1fs)\n", e.Package, e.Elapsed)
				if len(output[key]) > 0 {
					fmt.Print(strings.Join(output[key], ""))
				}
			}
		case "skip":
			if e.Test != "" {
				skipped++
				skippedTests = append(skippedTests, key)
				delete(output, key)
			}
		}
	}
	sort.Strings(failedTests)
	for _, k := range failedTests {
		fmt.Printf("\n--- FAIL %s\n%s", k, strings.Join(output[k], ""))
	}
	if len(skippedTests) > 0 {
		fmt.Printf("\nskipped: %s\n", strings.Join(skippedTests, ", "))
	}
	fmt.Printf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || pkgFailed {
		os.Exit(1)
	}
}
