package ingest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/ingest"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/store/storetest"
)

func raw(t *testing.T, objs ...map[string]any) []json.RawMessage {
	t.Helper()
	out := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		b, err := json.Marshal(o)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

func complaintObj(id, agency, updated string) map[string]any {
	o := map[string]any{"tracking_id": id, "report_type": "pengaduan", "submitted_at": "2024-04-01 08:00", "agency_code": agency,
		"title": "Jalan rusak", "summary": "Isi " + id, "reporter_name": "Pelapor Fiktif " + id, "reporter_contact": id + "@contoh.invalid"}
	if updated != "" {
		o["source_updated_at"] = updated
	}
	return o
}

func outcomes(rep ingest.BatchReport) []ingest.Outcome {
	out := make([]ingest.Outcome, len(rep.Results))
	for i, r := range rep.Results {
		out[i] = r.Outcome
	}
	return out
}

// TestComplaintVersions: same record unchanged, newer updates, older is
// stale, and every change marks the complaint dirty.
func TestComplaintVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 100)
		admin := access.CLI()
		v1 := complaintObj("V-1", "32.73.DINKES", "2024-04-02 10:00")
		rep, err := f.svc.SubmitComplaints(ctx, admin, "", raw(t, v1))
		require.NoError(t, err)
		require.Equal(t, []ingest.Outcome{ingest.Created}, outcomes(rep))

		newer := complaintObj("V-1", "32.73.DISDIK", "2024-04-03 10:00")
		older := complaintObj("V-1", "32.04.DINKES", "2024-04-01 09:00")
		cases := []struct {
			name   string
			obj    map[string]any
			want   ingest.Outcome
			agency string
		}{
			{"same record", v1, ingest.Unchanged, "32.73.DINKES"},
			{"newer source time", newer, ingest.Updated, "32.73.DISDIK"},
			{"replay of the first", v1, ingest.Stale, "32.73.DISDIK"},
			{"older change", older, ingest.Stale, "32.73.DISDIK"},
			{"newer again, same", newer, ingest.Unchanged, "32.73.DISDIK"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				dirtyBefore, err := st.DirtyComplaints(ctx, 10)
				require.NoError(t, err)
				for _, d := range dirtyBefore {
					require.NoError(t, st.ClearDirtyComplaint(ctx, d))
				}
				rep, err := f.svc.SubmitComplaints(ctx, admin, "", raw(t, c.obj))
				require.NoError(t, err)
				require.Equal(t, []ingest.Outcome{c.want}, outcomes(rep))
				d, err := f.svc.Complaint(ctx, admin, domain.DefaultSource, "V-1")
				require.NoError(t, err)
				require.Equal(t, c.agency, d.Complaint.AgencyCode)
				dirty, err := st.DirtyComplaints(ctx, 10)
				require.NoError(t, err)
				require.Equal(t, c.want == ingest.Updated, len(dirty) == 1, "only a change marks the complaint dirty")
			})
		}
		require.EqualValues(t, 1, counts(t, st)["complaints"])
	})
}

// TestEventsOrphansAndRules: events before their complaint are kept and
// linked; forwarded needs a target; LAPOR instansi ids resolve; repeats
// are unchanged.
func TestEventsOrphansAndRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 100)
		admin := access.CLI()
		evs := raw(t,
			map[string]any{"tracking_id": "E-1", "kind": "assigned", "at": "2024-04-01T09:00:00+07:00", "agency_code": "32.73", "to_agency_code": "9001"},
			map[string]any{"tracking_id": "E-1", "kind": "forwarded", "at": "2024-04-02T09:00:00+07:00", "agency_code": "32.73.DINKES"},
			map[string]any{"tracking_id": "E-1", "kind": "responded", "at": "2024-04-03 10:00", "agency_code": "32.73.DINKES", "public_text": "Ditangani"},
			map[string]any{"tracking_id": "E-1", "kind": "teleported", "at": "2024-04-03 10:00"},
			map[string]any{"tracking_id": "E-1", "kind": "verified", "at": "2024-04-01 08:30", "agency_code": "32.73"},
		)
		rep, err := f.svc.SubmitEvents(ctx, admin, "", evs)
		require.NoError(t, err)
		require.Equal(t, []ingest.Outcome{ingest.Created, ingest.Rejected, ingest.Created, ingest.Rejected, ingest.Created}, outcomes(rep))
		require.Equal(t, "to_agency_code", rep.Results[1].Errors[0].Field)
		require.Equal(t, "kind", rep.Results[3].Errors[0].Field)
		require.Equal(t, 3, rep.Results[3].Index)
		c := counts(t, st)
		require.EqualValues(t, 3, c["orphan_events"])
		require.Zero(t, c["dirty_complaints"], "orphans have no complaint to mark yet")

		again, err := f.svc.SubmitEvents(ctx, admin, "", evs[:1])
		require.NoError(t, err)
		require.Equal(t, []ingest.Outcome{ingest.Unchanged}, outcomes(again))

		_, err = f.svc.SubmitComplaints(ctx, admin, "", raw(t, complaintObj("E-1", "9001", "")))
		require.NoError(t, err)
		c = counts(t, st)
		require.Zero(t, c["orphan_events"])
		require.EqualValues(t, 1, c["dirty_complaints"])

		d, err := f.svc.Complaint(ctx, admin, domain.DefaultSource, "E-1")
		require.NoError(t, err)
		require.Equal(t, "32.73.DINKES", d.Complaint.AgencyCode, "LAPOR instansi id 9001 resolved to its agency")
		kinds := []domain.EventKind{}
		for _, e := range d.Events {
			kinds = append(kinds, e.Kind)
		}
		require.Equal(t, []domain.EventKind{domain.EventVerified, domain.EventAssigned, domain.EventResponded}, kinds, "sorted by time")
		require.Equal(t, "32.73.DINKES", d.Events[1].ToAgencyCode)
	})
}

// TestAgencyScope: an agency token writes only inside its subtree, row by
// row, and reads reporter data only there; readers and anonymous callers
// may not write.
func TestAgencyScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st, 100)
		bandung := principalFor(t, f, access.RoleAgency, "32.73")
		dinkes := principalFor(t, f, access.RoleAgency, "32.73.DINKES")
		reader := principalFor(t, f, access.RoleReader, "")

		rep, err := f.svc.SubmitComplaints(ctx, bandung, "", raw(t,
			complaintObj("S-1", "32.73.DINKES", ""), complaintObj("S-2", "32.04.DINKES", ""), complaintObj("S-3", "32.73", "")))
		require.NoError(t, err)
		require.Equal(t, []ingest.Outcome{ingest.Created, ingest.Rejected, ingest.Created}, outcomes(rep))
		require.True(t, rep.Results[1].Forbidden())
		require.Equal(t, "agency_code", rep.Results[1].Errors[0].Field)

		// a unit may not take over its parent's complaint
		rep, err = f.svc.SubmitComplaints(ctx, dinkes, "", raw(t, complaintObj("S-3", "32.73.DINKES", "2030-01-01 00:00")))
		require.NoError(t, err)
		require.Equal(t, []ingest.Outcome{ingest.Rejected}, outcomes(rep))
		require.True(t, rep.Results[0].Forbidden())

		_, err = f.svc.SubmitComplaints(ctx, reader, "", raw(t, complaintObj("S-4", "32.73", "")))
		require.ErrorIs(t, err, domain.ErrForbidden)
		_, err = f.svc.SubmitComplaints(ctx, access.Principal{}, "", raw(t, complaintObj("S-4", "32.73", "")))
		require.ErrorIs(t, err, domain.ErrUnauthorized)

		readers := []struct {
			name     string
			p        access.Principal
			reporter bool
		}{
			{"admin", access.CLI(), true},
			{"owning government", bandung, true},
			{"owning unit", dinkes, true},
			{"other government", principalFor(t, f, access.RoleAgency, "32.04"), false},
			{"reader", reader, false},
			{"anonymous", access.Principal{}, false},
		}
		for _, r := range readers {
			t.Run(r.name, func(t *testing.T) {
				d, err := f.svc.Complaint(ctx, r.p, domain.DefaultSource, "S-1")
				require.NoError(t, err)
				require.Equal(t, r.reporter, d.Reporter != nil)
				if d.Reporter != nil {
					require.Equal(t, "Pelapor Fiktif S-1", d.Reporter.Name)
				}
			})
		}
	})
}

// TestBatchLimits: empty and oversized batches are refused whole.
func TestBatchLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, 100)
		_, err := f.svc.SubmitComplaints(context.Background(), access.CLI(), "", nil)
		require.ErrorIs(t, err, domain.ErrInvalid)
		big := make([]json.RawMessage, ingest.MaxAPIBatch+1)
		_, err = f.svc.SubmitComplaints(context.Background(), access.CLI(), "", big)
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}
