package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// ComplaintKey is a complaint's identity: its tracking id within a source.
type ComplaintKey struct{ Source, TrackingID string }

// StoredComplaint is a complaint as ingest compares it: with its row ids and
// its reporter. Only ingest reads it; public reads use ComplaintByKey.
type StoredComplaint struct {
	ID        int64
	AgencyID  int64
	Complaint domain.Complaint
	Reporter  domain.Reporter
	// Anonymised is set once retention removed the reporter: a later
	// import must not bring the identity back.
	Anonymised bool
}

// ComplaintWrite is a complaint to insert or update, with its agency
// resolved to a row id and government.
type ComplaintWrite struct {
	Complaint      domain.Complaint
	Reporter       domain.Reporter
	AgencyID       int64
	GovernmentCode string
}

// PublicComplaint is a complaint without its reporter, with what a reader
// needs to decide scope and render times.
type PublicComplaint struct {
	ID         int64
	Complaint  domain.Complaint
	AgencyPath string
	TimeZone   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AgencyRef is an agency as ingest resolves it: row id, tree path,
// government, zone and LAPOR instansi id.
type AgencyRef struct {
	ID             int64
	Code           string
	Path           string
	GovernmentCode string
	TimeZone       string
	LaporID        string
}

// rawConnKey carries the *sql.Conn of a bulk transaction in its context, so
// the PostgreSQL bulk path can reach pgx's COPY on the same session.
type rawConnKey struct{}

// InBulkTx is InTx on one dedicated connection: on PostgreSQL, fn's ctx
// lets the store COPY into staging tables inside the same transaction.
// Store methods called with another context fall back to multi-row inserts.
func (s *Store) InBulkTx(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	if s.dialect != Postgres {
		return s.InTx(ctx, func(tx *Store) error { return fn(ctx, tx) })
	}
	err := s.db.WithContext(ctx).Connection(func(c *gorm.DB) error {
		conn, ok := c.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("store: bulk transaction: unexpected connection %T", c.Statement.ConnPool)
		}
		cctx := context.WithValue(ctx, rawConnKey{}, conn)
		return c.Transaction(func(gtx *gorm.DB) error {
			return fn(cctx, &Store{db: gtx, dialect: s.dialect, log: s.log, sqlitePath: s.sqlitePath})
		})
	})
	return classify(err)
}

func rawConn(ctx context.Context) *sql.Conn {
	c, _ := ctx.Value(rawConnKey{}).(*sql.Conn)
	return c
}

// pool is the connection (or transaction) raw SQL runs on; the bulk paths
// skip gorm's statement building, which dominates at thousands of rows.
func (s *Store) pool() gorm.ConnPool { return s.db.Statement.ConnPool }

// placeholder returns the n-th (1-based) bind parameter of the dialect.
func (s *Store) placeholder(n int) string {
	if s.dialect == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// maxBindParams keeps one statement under SQLite's default limit (32766).
const maxBindParams = 30000

// valuesSQL appends "(p,p,...),(...)" for rows×cols parameters starting at
// parameter number first.
func (s *Store) valuesSQL(b *strings.Builder, rows, cols, first int) {
	n := first
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s.placeholder(n))
			n++
		}
		b.WriteByte(')')
	}
}

// bulkInsert describes a multi-row insert: on PostgreSQL inside InBulkTx it
// COPYs into a session temp table and inserts from there in one set-based
// statement; elsewhere it runs multi-row INSERT ... VALUES statements.
type bulkInsert struct {
	table   string
	cols    []string
	pgTypes []string // staging column types, parallel to cols
	suffix  string   // ON CONFLICT / RETURNING clause
	// copy sends big batches through COPY + staging on PostgreSQL; small
	// tables skip it, since the staging table's upkeep costs more than
	// a multi-row INSERT saves.
	copy bool
}

// minCopyRows is the batch size from which COPY beats a multi-row INSERT.
const minCopyRows = 200

// run inserts rows (each len(cols) values); scan, if set, reads every row
// the RETURNING clause yields.
func (s *Store) bulkInsert(ctx context.Context, bi bulkInsert, rows [][]any, scan func(*sql.Rows) error) error {
	if len(rows) == 0 {
		return nil
	}
	if conn := rawConn(ctx); conn != nil && s.dialect == Postgres && bi.copy && len(rows) >= minCopyRows {
		return s.copyInsert(ctx, conn, bi, rows, scan)
	}
	per := maxBindParams / len(bi.cols)
	args := make([]any, 0, min(len(rows), per)*len(bi.cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.WriteString("INSERT INTO " + bi.table + " (" + strings.Join(bi.cols, ", ") + ") VALUES ")
		s.valuesSQL(&b, len(chunk), len(bi.cols), 1)
		b.WriteString(" " + bi.suffix)
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if err := s.execOrQuery(ctx, b.String(), args, scan); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) execOrQuery(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	if scan == nil {
		_, err := s.pool().ExecContext(ctx, q, args...)
		return err
	}
	rs, err := s.pool().QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

// copyInsert is the PostgreSQL bulk path: COPY into a per-session staging
// table, then INSERT ... SELECT with the conflict rule, all in the caller's
// transaction.
func (s *Store) copyInsert(ctx context.Context, conn *sql.Conn, bi bulkInsert, rows [][]any, scan func(*sql.Rows) error) error {
	stage := "stage_" + bi.table
	defs := make([]string, len(bi.cols))
	for i, c := range bi.cols {
		defs[i] = c + " " + bi.pgTypes[i]
	}
	ddl := "CREATE TEMP TABLE IF NOT EXISTS " + stage + " (" + strings.Join(defs, ", ") + ") ON COMMIT DELETE ROWS"
	if _, err := s.pool().ExecContext(ctx, ddl); err != nil {
		return err
	}
	if _, err := s.pool().ExecContext(ctx, "TRUNCATE "+stage); err != nil {
		return err
	}
	err := conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, got %T", dc)
		}
		_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{stage}, bi.cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("copy into %s: %w", stage, err)
	}
	cols := strings.Join(bi.cols, ", ")
	return s.execOrQuery(ctx, "INSERT INTO "+bi.table+" ("+cols+") SELECT "+cols+" FROM "+stage+" "+bi.suffix, nil, scan)
}

// bulkConn is the connection of an InBulkTx on PostgreSQL, where rows known
// to be new can be COPYed straight into their table; nil elsewhere.
func (s *Store) bulkConn(ctx context.Context) *sql.Conn {
	if s.dialect != Postgres {
		return nil
	}
	return rawConn(ctx)
}

// copyInto COPYs rows straight into table: no staging, no conflict rule,
// so a row whose key exists fails the statement (and the transaction) with
// ErrConflict. PostgreSQL still checks every key, index and constraint.
func copyInto(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, got %T", dc)
		}
		if _, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	})
}

// reserveIDs draws n ids from table's identity sequence in one round trip,
// so rows COPYed with them can be referenced before they are read back.
// Concurrent writers draw disjoint ids.
func (s *Store) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	rs, err := s.pool().QueryContext(ctx, `SELECT nextval(q.seq) FROM (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) q,
	    generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	ids := make([]int64, 0, n)
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserved %d %s ids, want %d", len(ids), table, n)
	}
	return ids, nil
}

// nullTime is a nullable UTC time parameter.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// nullID is a nullable row id parameter (0 means none).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// utcMicro is how a time is stored: UTC, microsecond precision (both
// dialects), so a re-read compares equal to what was written.
func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// scanTime reads a time column. SQLite hands back its fixed-width text when
// the column type is lost (joins, COALESCE), so text is parsed too.
type scanTime struct {
	t     time.Time
	valid bool
}

func (st *scanTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		st.valid = false
	case time.Time:
		st.t, st.valid = x.UTC(), true
	case string:
		return st.parse(x)
	case []byte:
		return st.parse(string(x))
	default:
		return fmt.Errorf("store: cannot read %T as a time", v)
	}
	return nil
}

func (st *scanTime) parse(s string) error {
	for _, layout := range []string{sqliteTimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			st.t, st.valid = t.UTC(), true
			return nil
		}
	}
	return fmt.Errorf("store: cannot parse time %q", s)
}

func (st scanTime) ptr() *time.Time {
	if !st.valid {
		return nil
	}
	t := st.t
	return &t
}

// AgencyRefs lists every agency as ingest resolves codes: ~20 000 rows at
// national scale, loaded once per import.
func (s *Store) AgencyRefs(ctx context.Context) ([]AgencyRef, error) {
	q := `SELECT a.id, a.code, a.path, a.government_code, a.time_zone, COALESCE(x.external_id, '')
	      FROM agencies a LEFT JOIN agency_external_ids x ON x.agency_id = a.id AND x.system = 'lapor'
	      ORDER BY a.id`
	rs, err := s.pool().QueryContext(ctx, q)
	if err != nil {
		return nil, s.wrapRaw("agency refs", err)
	}
	defer rs.Close()
	var out []AgencyRef
	for rs.Next() {
		var r AgencyRef
		if err := rs.Scan(&r.ID, &r.Code, &r.Path, &r.GovernmentCode, &r.TimeZone, &r.LaporID); err != nil {
			return nil, s.wrapRaw("agency refs", err)
		}
		out = append(out, r)
	}
	return out, s.wrapRaw("agency refs", rs.Err())
}

// AgencyRefsVersion changes whenever an agency is added, changed or moved,
// so a cached AgencyRefs list can tell it is stale with one cheap query.
func (s *Store) AgencyRefsVersion(ctx context.Context) (string, error) {
	var n int64
	var latest scanTime
	row := s.pool().QueryRowContext(ctx, `SELECT COUNT(*), MAX(updated_at) FROM agencies`)
	if err := row.Scan(&n, &latest); err != nil {
		return "", s.wrapRaw("agency refs version", err)
	}
	return fmt.Sprintf("%d/%d", n, latest.t.UnixNano()), nil
}

// groupBySource splits keys per source so each lookup is one indexed IN list.
func groupBySource(keys []ComplaintKey) map[string][]string {
	out := map[string][]string{}
	seen := map[ComplaintKey]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out[k.Source] = append(out[k.Source], k.TrackingID)
		}
	}
	return out
}

// inList renders "col IN (...)" (SQLite) or "col = ANY($n)" (PostgreSQL)
// for ids, starting at parameter number first, and returns its arguments.
func (s *Store) inList(col string, ids []string, first int) (string, []any) {
	if s.dialect == Postgres {
		return col + " = ANY(" + s.placeholder(first) + ")", []any{ids}
	}
	var b strings.Builder
	b.WriteString(col + " IN (")
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args[i] = id
	}
	b.WriteByte(')')
	return b.String(), args
}

// ComplaintsForIngest returns the stored complaints among keys, with their
// reporters, for ingest to compare incoming records against. Nothing public
// calls it.
func (s *Store) ComplaintsForIngest(ctx context.Context, keys []ComplaintKey) (map[ComplaintKey]StoredComplaint, error) {
	out := make(map[ComplaintKey]StoredComplaint, len(keys))
	for source, ids := range groupBySource(keys) {
		for start := 0; start < len(ids); start += maxBindParams - 1 {
			chunk := ids[start:min(start+maxBindParams-1, len(ids))]
			in, args := s.inList("c.tracking_id", chunk, 2)
			q := `SELECT c.id, c.source, c.tracking_id, c.report_type, c.category, c.channel, c.submitted_at,
			             c.agency_id, a.code, c.region_code, c.anonymous, c.confidential, c.title, c.summary,
			             c.source_updated_at, COALESCE(r.name, ''), COALESCE(r.contact, ''),
			             CASE WHEN an.complaint_id IS NULL THEN 0 ELSE 1 END
			      FROM complaints c JOIN agencies a ON a.id = c.agency_id
			      LEFT JOIN complaint_reporters r ON r.complaint_id = c.id
			      LEFT JOIN complaint_anonymisations an ON an.complaint_id = c.id
			      WHERE c.source = ` + s.placeholder(1) + ` AND ` + in
			rs, err := s.pool().QueryContext(ctx, q, append([]any{source}, args...)...)
			if err != nil {
				return nil, s.wrapRaw("complaints for ingest", err)
			}
			for rs.Next() {
				var sc StoredComplaint
				c := &sc.Complaint
				var rt string
				var sub, upd scanTime
				var anonymised int
				if err := rs.Scan(&sc.ID, &c.Source, &c.TrackingID, &rt, &c.Category, &c.Channel, &sub, &sc.AgencyID,
					&c.AgencyCode, &c.RegionCode, &c.Anonymous, &c.Confidential, &c.Title, &c.Summary, &upd,
					&sc.Reporter.Name, &sc.Reporter.Contact, &anonymised); err != nil {
					rs.Close()
					return nil, s.wrapRaw("complaints for ingest", err)
				}
				c.ReportType, c.SubmittedAt, c.SourceUpdatedAt = domain.ReportType(rt), sub.t, upd.ptr()
				sc.Anonymised = anonymised == 1
				out[ComplaintKey{c.Source, c.TrackingID}] = sc
			}
			err = rs.Err()
			rs.Close()
			if err != nil {
				return nil, s.wrapRaw("complaints for ingest", err)
			}
		}
	}
	return out, nil
}

var complaintInsert = bulkInsert{
	table: "complaints",
	cols: []string{"source", "tracking_id", "report_type", "category", "channel", "submitted_at", "agency_id",
		"government_code", "region_code", "anonymous", "confidential", "title", "summary", "source_updated_at",
		"created_at", "updated_at"},
	pgTypes: []string{"text", "text", "text", "text", "text", "timestamptz", "bigint", "text", "text", "boolean",
		"boolean", "text", "text", "timestamptz", "timestamptz", "timestamptz"},
	suffix: "RETURNING id, source, tracking_id",
	copy:   true,
}

func complaintValues(w ComplaintWrite, now time.Time) []any {
	c := w.Complaint
	return []any{c.Source, c.TrackingID, string(c.ReportType), c.Category, c.Channel, utcMicro(c.SubmittedAt), w.AgencyID,
		w.GovernmentCode, c.RegionCode, c.Anonymous, c.Confidential, c.Title, c.Summary, nullTime(c.SourceUpdatedAt), now, now}
}

// InsertComplaints adds new complaints (and their reporters) and returns
// their row ids by key. A key that already exists fails the call with
// ErrConflict: callers insert only what ComplaintsForIngest did not find.
func (s *Store) InsertComplaints(ctx context.Context, ws []ComplaintWrite, now time.Time) (map[ComplaintKey]int64, error) {
	now = utcMicro(now)
	if conn := s.bulkConn(ctx); conn != nil && len(ws) >= minCopyRows {
		return s.copyComplaints(ctx, conn, ws, now)
	}
	rows := make([][]any, len(ws))
	for i, w := range ws {
		rows[i] = complaintValues(w, now)
	}
	ids := make(map[ComplaintKey]int64, len(ws))
	err := s.bulkInsert(ctx, complaintInsert, rows, func(rs *sql.Rows) error {
		var id int64
		var k ComplaintKey
		if err := rs.Scan(&id, &k.Source, &k.TrackingID); err != nil {
			return err
		}
		ids[k] = id
		return nil
	})
	if err != nil {
		return nil, s.wrapRaw("insert complaints", err)
	}
	var reps [][]any
	for _, w := range ws {
		if w.Reporter.Name != "" || w.Reporter.Contact != "" {
			reps = append(reps, []any{ids[ComplaintKey{w.Complaint.Source, w.Complaint.TrackingID}], w.Reporter.Name, w.Reporter.Contact})
		}
	}
	if err := s.bulkInsert(ctx, reporterInsert, reps, nil); err != nil {
		return nil, s.wrapRaw("insert reporters", err)
	}
	return ids, nil
}

// copyComplaints is InsertComplaints on PostgreSQL's bulk path: ids are
// drawn from the sequence first, then complaints and reporters are COPYed
// into their tables, with no staging table and no read-back.
func (s *Store) copyComplaints(ctx context.Context, conn *sql.Conn, ws []ComplaintWrite, now time.Time) (map[ComplaintKey]int64, error) {
	seq, err := s.reserveIDs(ctx, "complaints", len(ws))
	if err != nil {
		return nil, s.wrapRaw("insert complaints", err)
	}
	ids := make(map[ComplaintKey]int64, len(ws))
	rows := make([][]any, len(ws))
	var reps [][]any
	for i, w := range ws {
		id := seq[i]
		rows[i] = append([]any{id}, complaintValues(w, now)...)
		ids[ComplaintKey{w.Complaint.Source, w.Complaint.TrackingID}] = id
		if w.Reporter.Name != "" || w.Reporter.Contact != "" {
			reps = append(reps, []any{id, w.Reporter.Name, w.Reporter.Contact})
		}
	}
	if len(ids) != len(ws) {
		return nil, fmt.Errorf("store: insert complaints: a key repeats within the batch: %w", domain.ErrConflict)
	}
	if err := copyInto(ctx, conn, "complaints", append([]string{"id"}, complaintInsert.cols...), rows); err != nil {
		return nil, s.wrapRaw("insert complaints", err)
	}
	if len(reps) > 0 {
		if err := copyInto(ctx, conn, "complaint_reporters", reporterInsert.cols, reps); err != nil {
			return nil, s.wrapRaw("insert reporters", err)
		}
	}
	return ids, nil
}

var reporterInsert = bulkInsert{
	table:   "complaint_reporters",
	cols:    []string{"complaint_id", "name", "contact"},
	pgTypes: []string{"bigint", "text", "text"},
	suffix:  "ON CONFLICT (complaint_id) DO UPDATE SET name = excluded.name, contact = excluded.contact",
}

// UpdateComplaint overwrites a complaint's fields and reporter.
func (s *Store) UpdateComplaint(ctx context.Context, id int64, w ComplaintWrite, now time.Time) error {
	c := w.Complaint
	n := s.placeholder
	q := `UPDATE complaints SET report_type = ` + n(1) + `, category = ` + n(2) + `, channel = ` + n(3) +
		`, submitted_at = ` + n(4) + `, agency_id = ` + n(5) + `, government_code = ` + n(6) + `, region_code = ` + n(7) +
		`, anonymous = ` + n(8) + `, confidential = ` + n(9) + `, title = ` + n(10) + `, summary = ` + n(11) +
		`, source_updated_at = ` + n(12) + `, updated_at = ` + n(13) + ` WHERE id = ` + n(14)
	_, err := s.pool().ExecContext(ctx, q, string(c.ReportType), c.Category, c.Channel, utcMicro(c.SubmittedAt), w.AgencyID,
		w.GovernmentCode, c.RegionCode, c.Anonymous, c.Confidential, c.Title, c.Summary, nullTime(c.SourceUpdatedAt), utcMicro(now), id)
	if err != nil {
		return s.wrapRaw("update complaint", err)
	}
	if w.Reporter.Name == "" && w.Reporter.Contact == "" {
		_, err = s.pool().ExecContext(ctx, `DELETE FROM complaint_reporters WHERE complaint_id = `+n(1), id)
		return s.wrapRaw("update reporter", err)
	}
	return s.wrapRaw("update reporter", s.bulkInsert(ctx, reporterInsert, [][]any{{id, w.Reporter.Name, w.Reporter.Contact}}, nil))
}

const publicComplaintSelect = `SELECT c.id, c.source, c.tracking_id, c.report_type, c.category, c.channel, c.submitted_at,
       a.code, c.region_code, c.anonymous, c.confidential, c.title, c.summary, c.source_updated_at,
       a.path, a.time_zone, c.created_at, c.updated_at
FROM complaints c JOIN agencies a ON a.id = c.agency_id `

// ComplaintByKey returns a complaint's public fields; never its reporter.
func (s *Store) ComplaintByKey(ctx context.Context, k ComplaintKey) (PublicComplaint, error) {
	row := s.pool().QueryRowContext(ctx, publicComplaintSelect+`WHERE c.source = `+s.placeholder(1)+` AND c.tracking_id = `+s.placeholder(2), k.Source, k.TrackingID)
	var p PublicComplaint
	c := &p.Complaint
	var rt string
	var sub, upd, created, updated scanTime
	err := row.Scan(&p.ID, &c.Source, &c.TrackingID, &rt, &c.Category, &c.Channel, &sub, &c.AgencyCode, &c.RegionCode,
		&c.Anonymous, &c.Confidential, &c.Title, &c.Summary, &upd, &p.AgencyPath, &p.TimeZone, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: complaint %s/%s: %w", k.Source, k.TrackingID, domain.ErrNotFound)
	}
	if err != nil {
		return p, s.wrapRaw("complaint", err)
	}
	c.ReportType, c.SubmittedAt, c.SourceUpdatedAt = domain.ReportType(rt), sub.t, upd.ptr()
	p.CreatedAt, p.UpdatedAt = created.t, updated.t
	return p, nil
}

// ComplaintReporter returns the reporter of a complaint (zero when none).
// Only the scoped complaint read calls it, after its access check.
func (s *Store) ComplaintReporter(ctx context.Context, complaintID int64) (domain.Reporter, error) {
	var r domain.Reporter
	err := s.pool().QueryRowContext(ctx, `SELECT name, contact FROM complaint_reporters WHERE complaint_id = `+s.placeholder(1), complaintID).
		Scan(&r.Name, &r.Contact)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Reporter{}, nil
	}
	return r, s.wrapRaw("complaint reporter", err)
}

// IngestTableCounts counts the rows of every ingest table, for tests,
// import summaries and the demo.
func (s *Store) IngestTableCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{"complaints", "complaint_reporters", "complaint_events", "dirty_complaints", "import_jobs", "import_rejections"} {
		var n int64
		if err := s.pool().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, s.wrapRaw("count "+t, err)
		}
		out[t] = n
	}
	var orphans int64
	if err := s.pool().QueryRowContext(ctx, "SELECT COUNT(*) FROM complaint_events WHERE complaint_id IS NULL").Scan(&orphans); err != nil {
		return nil, s.wrapRaw("count orphan events", err)
	}
	out["orphan_events"] = orphans
	return out, nil
}

// wrapRaw is wrap for errors of raw SQL, which skip gorm's error
// translation: driver constraint errors become the domain's sentinels.
func (s *Store) wrapRaw(verb string, err error) error {
	if err == nil {
		return nil
	}
	if tr, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
		in := err
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			in = pgErr
		}
		if t := tr.Translate(in); t != in {
			err = fmt.Errorf("%w: %w", t, err)
		}
	}
	return wrap(verb, err)
}
