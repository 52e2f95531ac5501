package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/demo"
)

func demoCmd() *command {
	var dataDir, addr string
	var noServe bool
	return &command{name: "demo", summary: "build demo data on the embedded database and serve it",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&dataDir, "data-dir", "", "data directory (default: TANGGAP_DATA_DIR if set, else <tmp>/tanggap-demo)")
			fs.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
			fs.BoolVar(&noServe, "no-serve", false, "build the data and exit")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			cfg, err := loadConfig(e)
			if err != nil {
				return err
			}
			switch {
			case dataDir != "":
				cfg.DataDir = dataDir
			case !envSet(e.environ, "TANGGAP_DATA_DIR"):
				cfg.DataDir = filepath.Join(os.TempDir(), "tanggap-demo")
			}
			cfg.ListenAddr = addr
			log := newLogger(cfg, e.stderr)
			a, err := openApp(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.requireSchema(ctx, true); err != nil {
				return err
			}
			if err := demo.Build(ctx, demo.Deps{Agencies: a.agencies, SPBE: a.spbe, Ingest: a.ingest, Clocks: a.clocks, Rollups: a.rollups, Commitments: a.commitments, Log: log}); err != nil {
				return err
			}
			secret, _, err := a.access.CreateToken(ctx, access.CLI(), access.NewToken{Name: "demo-admin", Role: access.RoleAdmin, ExpiresIn: 0})
			if err != nil {
				return err
			}
			where := cfg.SQLitePath()
			if !cfg.Embedded() {
				where = "PostgreSQL"
			}
			fmt.Fprintf(e.stdout, "Demo data ready in %s\nAdmin API token (shown once): %s\n", where, secret)
			if noServe {
				return nil
			}
			return serve(ctx, a, func(bound string) {
				host := bound
				if strings.HasPrefix(host, "[::]") || strings.HasPrefix(host, "0.0.0.0") {
					host = "localhost" + host[strings.LastIndex(host, ":"):]
				}
				fmt.Fprintf(e.stdout, "Tanggap demo: http://%s/  (Ctrl-C to stop)\n", host)
			})
		}}
}

func envSet(environ []string, name string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}
