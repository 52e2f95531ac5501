package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/tanggap-id/tanggap/internal/store"
)

// Set at build time: -ldflags "-X github.com/tanggap-id/tanggap/internal/cli.version=v1.2.3".
var version = "dev"

// BuildInfo is the binary's version, commit and Go version.
func BuildInfo() (ver, commit, goVersion string) {
	commit = "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
		}
	}
	return version, commit, runtime.Version()
}

func versionCmd() *command {
	return &command{name: "version", summary: "print version, commit, Go version and schema version",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			v, c, g := BuildInfo()
			fmt.Fprintf(e.stdout, "tanggap %s\ncommit  %s\ngo      %s\nschema  %d\n", v, c, g, store.LatestSchemaVersion())
			return nil
		}}
}
