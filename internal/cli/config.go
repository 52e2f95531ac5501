package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

func configCmd() *command {
	return &command{name: "config", summary: "print the effective configuration (secrets redacted)",
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			cfg, err := loadConfig(e)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, kv := range cfg.Redacted() {
				fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
			}
			return tw.Flush()
		}}
}
