// Package cli is the tanggap command line: one file per command, each
// parsing its flags and calling a service. Run is the whole program; main
// only wires the process to it.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// command is a node of the command tree: a leaf runs, a group dispatches.
type command struct {
	name    string
	summary string
	usage   string // arguments after the name, e.g. "FILE"
	sub     []*command
	// flags declares the command's flags; run gets what is left.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error
}

// env is what commands share: configuration source and output streams.
type env struct {
	environ []string
	stdout  io.Writer
	stderr  io.Writer
}

// usageError is a mistake on the command line (exit 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code (e.g. 2 for "some rows rejected").
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func root() *command {
	return &command{name: "tanggap", summary: "complaint clocks, agency metrics and the SPBE index for Indonesian government", sub: []*command{
		serveCmd(), migrateCmd(), catalogCmd(), agenciesCmd(), tokenCmd(), configCmd(), demoCmd(), versionCmd(), spbeCmd(),
		holidaysCmd(), recomputeCmd(), sweepCmd(), importCmd(), genCmd(), rollupCmd(), commitmentsCmd(), usersCmd(),
		runJobCmd(), jobsCmd(),
	}}
}

// Run executes the command line args (args[0] is the program name) and
// returns the process exit code.
func Run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	e := &env{environ: environ, stdout: stdout, stderr: stderr}
	err := dispatch(ctx, e, root(), []string{"tanggap"}, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "tanggap: %s\n", ue.msg)
		return 2
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "tanggap: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "tanggap: %v\n", err)
	return 1
}

func dispatch(ctx context.Context, e *env, c *command, path, args []string) error {
	if len(c.sub) > 0 {
		if len(args) == 0 {
			printGroupHelp(e.stderr, c, path)
			return usagef("%s: missing subcommand (one of %s)", strings.Join(path, " "), subNames(c))
		}
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			printGroupHelp(e.stdout, c, path)
			return flag.ErrHelp
		}
		for _, s := range c.sub {
			if s.name == args[0] {
				return dispatch(ctx, e, s, append(path, s.name), args[1:])
			}
		}
		return usagef("%s: unknown subcommand %q (one of %s)", strings.Join(path, " "), args[0], subNames(c))
	}
	fs := flag.NewFlagSet(strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.flags != nil {
		c.flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printLeafHelp(e.stdout, c, path, fs)
			return flag.ErrHelp
		}
		return usagef("%s: %v (see --help)", strings.Join(path, " "), err)
	}
	return c.run(ctx, e, fs, fs.Args())
}

func subNames(c *command) string {
	names := make([]string, len(c.sub))
	for i, s := range c.sub {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func printGroupHelp(w io.Writer, c *command, path []string) {
	fmt.Fprintf(w, "%s — %s\n\nUsage: %s <command> [flags]\n\nCommands:\n", strings.Join(path, " "), c.summary, strings.Join(path, " "))
	subs := append([]*command(nil), c.sub...)
	sort.SliceStable(subs, func(i, j int) bool { return false })
	for _, s := range subs {
		fmt.Fprintf(w, "  %-10s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", strings.Join(path, " "))
}

func printLeafHelp(w io.Writer, c *command, path []string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s — %s\n\nUsage: %s [flags] %s\n", strings.Join(path, " "), c.summary, strings.Join(path, " "), c.usage)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// exactArgs checks the number of positional arguments.
func exactArgs(fs *flag.FlagSet, args []string, names ...string) error {
	if len(args) < len(names) {
		return usagef("%s: missing argument %s", fs.Name(), strings.Join(names[len(args):], " "))
	}
	if len(args) > len(names) {
		return usagef("%s: unexpected argument %q", fs.Name(), args[len(names)])
	}
	return nil
}
