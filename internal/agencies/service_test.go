package agencies_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/agencies"
	"github.com/tanggap-id/tanggap/internal/audit"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func newService(st *store.Store) (*agencies.Service, *access.Service) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(st, log, time.Now)
	acc := access.NewService(st, rec, time.Now)
	return agencies.NewService(st, acc, rec), acc
}

func TestLoadCatalogIsCompleteAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _ := newService(st)
		rep, err := svc.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		require.Equal(t, 1+38+514, rep.Created)
		require.Empty(t, rep.Rejected)

		counts, err := st.CountAgencies(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, counts[domain.KindNational])
		require.EqualValues(t, 38, counts[domain.KindProvinsi])
		require.EqualValues(t, 416, counts[domain.KindKabupaten])
		require.EqualValues(t, 98, counts[domain.KindKota])

		jabar, err := svc.Children(ctx, "32")
		require.NoError(t, err)
		require.Len(t, jabar, 27)
		bandung, err := svc.Get(ctx, "32.73")
		require.NoError(t, err)
		require.Equal(t, "Kota Bandung", bandung.Name)
		require.Equal(t, "Asia/Jakarta", bandung.TimeZone)
		jayapura, err := svc.Get(ctx, "91.71")
		require.NoError(t, err)
		require.Equal(t, "Asia/Jayapura", jayapura.TimeZone)

		_, auditTotal, err := st.ListAudit(ctx, store.AuditFilter{Entity: "agency"})
		require.NoError(t, err)
		again, err := svc.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		require.Equal(t, agencies.ImportReport{Unchanged: 553}, again)
		_, auditAfter, err := st.ListAudit(ctx, store.AuditFilter{Entity: "agency"})
		require.NoError(t, err)
		require.Equal(t, auditTotal, auditAfter, "a replay writes nothing, not even audit rows")
	})
}

func TestAgencyScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _ := newService(st)
		_, err := svc.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		bandung := access.Principal{TokenID: 7, Name: "bandung", Role: access.RoleAgency, AgencyCode: "32.73"}
		reader := access.Principal{TokenID: 8, Name: "r", Role: access.RoleReader}
		unit := func(code, parent string) domain.Agency {
			return domain.Agency{Code: code, ParentCode: parent, Kind: domain.KindOPD, Name: "Unit " + code, Active: true}
		}
		cases := []struct {
			name  string
			actor access.Principal
			unit  domain.Agency
			want  error
		}{
			{"agency token inside its subtree", bandung, unit("32.73.X", "32.73"), nil},
			{"agency token under another regency", bandung, unit("32.04.X", "32.04"), domain.ErrForbidden},
			{"agency token under its province", bandung, unit("32.X", "32"), domain.ErrForbidden},
			{"anonymous", access.Principal{}, unit("32.73.Y", "32.73"), domain.ErrUnauthorized},
			{"reader", reader, unit("32.73.Z", "32.73"), domain.ErrForbidden},
			{"admin anywhere", access.CLI(), unit("32.04.X", "32.04"), nil},
			{"unknown parent", access.CLI(), unit("99.X", "99"), domain.ErrInvalid},
			{"duplicate", access.CLI(), unit("32.73.X", "32.73"), domain.ErrConflict},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := svc.Create(ctx, c.actor, c.unit)
				if c.want != nil {
					require.ErrorIs(t, err, c.want)
					return
				}
				require.NoError(t, err)
				require.Equal(t, c.unit.ParentCode, got.ParentCode)
				require.Equal(t, "Asia/Jakarta", got.TimeZone, "a unit inherits its parent's zone")
			})
		}
		// Moving a unit out of the token's subtree is refused; inside is fine.
		moved := unit("32.73.X", "32.04")
		_, err = svc.Update(ctx, bandung, moved)
		require.ErrorIs(t, err, domain.ErrForbidden)
		_, err = svc.Create(ctx, bandung, unit("32.73.Y", "32.73"))
		require.NoError(t, err)
		_, err = svc.Update(ctx, bandung, unit("32.73.X", "32.73.Y"))
		require.NoError(t, err)
		// A cycle is rejected with the field named.
		_, err = svc.Update(ctx, access.CLI(), unit("32.73.Y", "32.73.X"))
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "cycle")

		// Each successful write left an audit row with before/after.
		entries, _, err := st.ListAudit(ctx, store.AuditFilter{Entity: "agency", EntityKey: "32.73.X"})
		require.NoError(t, err)
		require.Len(t, entries, 2)
		require.Equal(t, "update", entries[0].Action)
		require.Contains(t, entries[0].Actor, "bandung")
		require.Contains(t, *entries[0].Before, `"parent_code":"32.73"`)
		require.Contains(t, *entries[0].After, `"parent_code":"32.73.Y"`)
		require.Equal(t, "create", entries[1].Action)
		require.Nil(t, entries[1].Before)
	})
}

func TestImportCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _ := newService(st)
		_, err := svc.LoadCatalog(ctx, access.CLI())
		require.NoError(t, err)
		// Children before parents, one bad kind, one bad zone, one bad boolean.
		csv := strings.Join([]string{
			"code,parent_code,kind,name,short_name,time_zone,active,ext:lapor,extra",
			"32.73.DINKES.PKM1,32.73.DINKES,opd,Puskesmas Satu,PKM1,,,5001,x",
			"32.73.DINKES,32.73,opd,Dinas Kesehatan Kota Bandung,Dinkes,,true,5000,x",
			"32.73.BAD,32.73,dinas,Bad Kind,,,,,",
			"32.73.TZ,32.73,opd,Bad Zone,,Mars/Olympus,,,",
			"32.73.ACT,32.73,opd,Bad Active,,,maybe,,",
			"K.KOMINFO,ID,ministry,Kementerian Komunikasi dan Digital,Komdigi,Asia/Jakarta,,10,",
		}, "\n")
		rep, err := svc.Import(ctx, access.CLI(), strings.NewReader(csv))
		require.NoError(t, err)
		require.Equal(t, 3, rep.Created)
		require.Equal(t, []string{`column "extra" ignored`}, rep.Warnings)
		require.Len(t, rep.Rejected, 3)
		want := []struct {
			line  int
			field string
		}{{4, "kind"}, {5, "time_zone"}, {6, "active"}}
		for i, w := range want {
			require.Equal(t, w.line, rep.Rejected[i].Line)
			require.Equal(t, w.field, rep.Rejected[i].Field)
		}
		pkm, err := svc.Get(ctx, "32.73.DINKES.PKM1")
		require.NoError(t, err)
		require.Equal(t, "32.73", pkm.GovernmentCode)
		require.Equal(t, map[string]string{"lapor": "5001"}, pkm.ExternalIDs)
		k, err := st.AgencyByExternalID(ctx, "lapor", "10")
		require.NoError(t, err)
		require.Equal(t, "K.KOMINFO", k.Code)

		again, err := svc.Import(ctx, access.CLI(), strings.NewReader(csv))
		require.NoError(t, err)
		require.Equal(t, 0, again.Created)
		require.Equal(t, 3, again.Unchanged)

		_, err = svc.Import(ctx, access.CLI(), strings.NewReader("name,kind\nx,opd\n"))
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "code")
	})
}
