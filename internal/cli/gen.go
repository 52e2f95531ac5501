package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/demo"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/synth"
)

func genCmd() *command {
	var n int
	var seed uint64
	var format, out, source string
	var fromDB bool
	return &command{name: "gen", summary: "write a synthetic, deterministic complaint history (NDJSON or CSV) for tests and benchmarks",
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&n, "complaints", 1000, "number of complaints")
			fs.Uint64Var(&seed, "seed", 1, "random seed: the same seed and agencies give the same bytes")
			fs.StringVar(&format, "format", "ndjson", "ndjson (events embedded) or csv (FILE and FILE-events.csv)")
			fs.StringVar(&out, "out", "", "output file (required; - for stdout with ndjson)")
			fs.StringVar(&source, "source", "", "complaint source (default lapor)")
			fs.BoolVar(&fromDB, "from-db", false, "use the Jawa Barat agencies of the configured database instead of the embedded catalogue and demo units")
		},
		run: func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
			if err := exactArgs(fs, args); err != nil {
				return err
			}
			if out == "" {
				return usagef("gen: --out is required")
			}
			if n < 1 {
				return usagef("gen: --complaints must be at least 1")
			}
			if format != "ndjson" && format != "csv" {
				return usagef("gen: --format must be ndjson or csv")
			}
			if format == "csv" && out == "-" {
				return usagef("gen: csv writes two files; give --out FILE")
			}
			var list []domain.Agency
			var err error
			if fromDB {
				err = withApp(ctx, e, func(a *app) error {
					if err := a.requireSchema(ctx, false); err != nil {
						return err
					}
					list, err = demo.JabarAgencies(ctx, a.agencies)
					if errors.Is(err, domain.ErrNotFound) {
						return fmt.Errorf("no Jawa Barat agencies in the database: run `tanggap catalog load` or `tanggap demo` first")
					}
					return err
				})
			} else {
				list, err = catalogueAgencies(ctx)
			}
			if err != nil {
				return err
			}
			g := &synth.Generator{Seed: seed, Complaints: n, Agencies: list, Source: source}
			start := time.Now()
			if err := writeSynth(g, format, out, e.stdout); err != nil {
				return err
			}
			if out != "-" {
				fmt.Fprintf(e.stderr, "wrote %d complaints over %d agencies to %s in %s\n", n, len(list), out, time.Since(start).Round(time.Millisecond))
			}
			return nil
		}}
}

// eventsPath is where `gen --format csv` writes the events of out.
func eventsPath(out string) string {
	ext := filepath.Ext(out)
	return strings.TrimSuffix(out, ext) + "-events" + ext
}

func writeSynth(g *synth.Generator, format, out string, stdout io.Writer) error {
	if out == "-" {
		w := bufio.NewWriter(stdout)
		if err := synth.WriteNDJSON(w, g); err != nil {
			return err
		}
		return w.Flush()
	}
	cf, err := os.Create(out)
	if err != nil {
		return err
	}
	defer cf.Close()
	if format == "ndjson" {
		if err := synth.WriteNDJSON(cf, g); err != nil {
			return err
		}
		return cf.Close()
	}
	ef, err := os.Create(eventsPath(out))
	if err != nil {
		return err
	}
	defer ef.Close()
	cw, ew := bufio.NewWriterSize(cf, 1<<16), bufio.NewWriterSize(ef, 1<<16)
	if err := synth.WriteCSV(cw, ew, g); err != nil {
		return err
	}
	if err := errors.Join(cw.Flush(), ew.Flush()); err != nil {
		return err
	}
	return errors.Join(cf.Close(), ef.Close())
}

// catalogueAgencies builds the embedded catalogue and the demo units in a
// throwaway SQLite database (through the same services as the demo) and
// returns the Jawa Barat governments and units.
func catalogueAgencies(ctx context.Context) ([]domain.Agency, error) {
	dir, err := os.MkdirTemp("", "tanggap-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(dir, "agencies.db")})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.MigrateUp(ctx); err != nil {
		return nil, err
	}
	rec := audit.NewRecorder(st, slog.New(slog.DiscardHandler), time.Now)
	ag := agencies.NewService(st, access.NewService(st, rec, time.Now), rec)
	d := demo.Deps{Agencies: ag}
	for _, s := range demo.Steps() {
		if s.Name == "catalogue" || s.Name == "units" {
			if _, err := s.Run(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	return demo.JabarAgencies(ctx, ag)
}
