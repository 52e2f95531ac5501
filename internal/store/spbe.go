package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

type spbeFrameworkRow struct {
	ID            string `gorm:"primaryKey"`
	Version       string `gorm:"primaryKey"`
	Name          string
	EffectiveFrom string
	Document      string
	LoadedAt      time.Time
}

func (spbeFrameworkRow) TableName() string { return "spbe_frameworks" }

type spbeLevelRow struct {
	ID            int64 `gorm:"primaryKey"`
	FrameworkID   string
	AgencyID      int64
	Year          int
	Stage         string
	Indicator     int
	Level         int
	EvidenceURL   string
	OwnerAgencyID *int64
	Note          string
	Confirmations string
	UpdatedAt     time.Time
	// OwnerCode is read through a join, never written.
	OwnerCode string `gorm:"->;-:migration"`
}

func (spbeLevelRow) TableName() string { return "spbe_assessment_levels" }

type spbeResultRow struct {
	ID               int64 `gorm:"primaryKey"`
	AgencyID         int64
	FrameworkID      string
	FrameworkVersion string
	Year             int
	Stage            string
	Source           string
	IndexPublished   string
	IndexExact       string
	Predicate        string
	Banding          string
	DomainsJSON      string
	DetailJSON       string
	ComputedAt       time.Time
	// Read through the join with agencies.
	Code       string `gorm:"->;-:migration"`
	Name       string `gorm:"->;-:migration"`
	Kind       string `gorm:"->;-:migration"`
	ParentCode string `gorm:"->;-:migration"`
}

func (spbeResultRow) TableName() string { return "spbe_index_results" }

func (r spbeResultRow) toDomain() (domain.SPBEIndexResult, error) {
	out := domain.SPBEIndexResult{ID: r.ID, Government: r.Code, GovernmentName: r.Name, Kind: domain.AgencyKind(r.Kind),
		ParentCode: r.ParentCode, Framework: r.FrameworkID, FrameworkVersion: r.FrameworkVersion, Year: r.Year,
		Stage: domain.SPBEStage(r.Stage), Source: domain.SPBESource(r.Source), Index: r.IndexPublished,
		IndexExact: r.IndexExact, Predicate: r.Predicate, Banding: r.Banding, ComputedAt: r.ComputedAt.UTC()}
	if err := json.Unmarshal([]byte(r.DomainsJSON), &out.Domains); err != nil {
		return out, fmt.Errorf("store: index result %d: domains: %w", r.ID, err)
	}
	if r.DetailJSON != "" {
		out.Detail = json.RawMessage(r.DetailJSON)
	}
	return out, nil
}

// UpsertSPBEFramework stores a framework version unless that id and version
// are already there; it reports whether a row was written.
func (s *Store) UpsertSPBEFramework(ctx context.Context, f domain.SPBEFrameworkRecord) (bool, error) {
	var n int64
	if err := s.conn(ctx).Model(&spbeFrameworkRow{}).Where("id = ? AND version = ?", f.ID, f.Version).Count(&n).Error; err != nil {
		return false, wrap("spbe framework "+f.ID, err)
	}
	if n > 0 {
		return false, nil
	}
	row := spbeFrameworkRow{ID: f.ID, Version: f.Version, Name: f.Name, EffectiveFrom: f.EffectiveFrom,
		Document: string(f.Document), LoadedAt: f.LoadedAt.UTC()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return false, wrap("spbe framework "+f.ID, err)
	}
	return true, nil
}

// ListSPBEFrameworks lists every loaded framework version, newest load
// first within an id; documents are left out.
func (s *Store) ListSPBEFrameworks(ctx context.Context) ([]domain.SPBEFrameworkRecord, error) {
	var rows []spbeFrameworkRow
	if err := s.conn(ctx).Select("id, version, name, effective_from, loaded_at").
		Order("id, loaded_at DESC, version").Find(&rows).Error; err != nil {
		return nil, wrap("list spbe frameworks", err)
	}
	out := make([]domain.SPBEFrameworkRecord, len(rows))
	for i, r := range rows {
		out[i] = domain.SPBEFrameworkRecord{ID: r.ID, Version: r.Version, Name: r.Name, EffectiveFrom: r.EffectiveFrom, LoadedAt: r.LoadedAt.UTC()}
	}
	return out, nil
}

// SPBEFrameworkDocument returns one stored framework version with its file.
func (s *Store) SPBEFrameworkDocument(ctx context.Context, id, version string) (domain.SPBEFrameworkRecord, error) {
	var r spbeFrameworkRow
	if err := s.conn(ctx).Where("id = ? AND version = ?", id, version).Take(&r).Error; err != nil {
		return domain.SPBEFrameworkRecord{}, wrap("spbe framework "+id+"@"+version, err)
	}
	return domain.SPBEFrameworkRecord{ID: r.ID, Version: r.Version, Name: r.Name, EffectiveFrom: r.EffectiveFrom,
		Document: []byte(r.Document), LoadedAt: r.LoadedAt.UTC()}, nil
}

// agencyIDs maps agency codes to row ids; an unknown code is ErrNotFound.
func (s *Store) agencyIDs(ctx context.Context, codes ...string) (map[string]int64, error) {
	var rows []agencyRow
	if err := s.conn(ctx).Select("id, code").Where("code IN ?", codes).Find(&rows).Error; err != nil {
		return nil, wrap("agency ids", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	for _, c := range codes {
		if _, ok := out[c]; !ok && c != "" {
			return nil, fmt.Errorf("store: agency %s: %w", c, domain.ErrNotFound)
		}
	}
	return out, nil
}

func (s *Store) levelQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("spbe_assessment_levels AS l").
		Select("l.*, o.code AS owner_code").
		Joins("LEFT JOIN agencies AS o ON o.id = l.owner_agency_id")
}

// AssessedLevels returns the levels of one assessment ordered by indicator
// (empty when there are none).
func (s *Store) AssessedLevels(ctx context.Context, k domain.SPBEAssessmentKey) ([]domain.SPBEAssessedLevel, error) {
	ids, err := s.agencyIDs(ctx, k.Government)
	if err != nil {
		return nil, err
	}
	var rows []spbeLevelRow
	err = s.levelQuery(ctx).Where("l.framework_id = ? AND l.agency_id = ? AND l.year = ? AND l.stage = ?",
		k.Framework, ids[k.Government], k.Year, string(k.Stage)).Order("l.indicator").Find(&rows).Error
	if err != nil {
		return nil, wrap("assessed levels", err)
	}
	out := make([]domain.SPBEAssessedLevel, 0, len(rows))
	for _, r := range rows {
		l := domain.SPBEAssessedLevel{Indicator: r.Indicator, Level: r.Level, EvidenceURL: r.EvidenceURL,
			OwnerCode: r.OwnerCode, Note: r.Note, UpdatedAt: r.UpdatedAt.UTC()}
		if r.Confirmations != "" {
			if err := json.Unmarshal([]byte(r.Confirmations), &l.Confirmations); err != nil {
				return nil, fmt.Errorf("store: assessed level %d: confirmations: %w", r.ID, err)
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// UpsertAssessedLevels writes levels into one assessment: given indicators
// are inserted or updated, others are left as they are. It returns how many
// rows changed. Call it inside InTx.
func (s *Store) UpsertAssessedLevels(ctx context.Context, k domain.SPBEAssessmentKey, levels []domain.SPBEAssessedLevel, now time.Time) (int, error) {
	codes := []string{k.Government}
	for _, l := range levels {
		if l.OwnerCode != "" {
			codes = append(codes, l.OwnerCode)
		}
	}
	ids, err := s.agencyIDs(ctx, codes...)
	if err != nil {
		return 0, err
	}
	var existing []spbeLevelRow
	err = s.conn(ctx).Where("framework_id = ? AND agency_id = ? AND year = ? AND stage = ?",
		k.Framework, ids[k.Government], k.Year, string(k.Stage)).Find(&existing).Error
	if err != nil {
		return 0, wrap("assessed levels", err)
	}
	byIndicator := make(map[int]spbeLevelRow, len(existing))
	for _, r := range existing {
		byIndicator[r.Indicator] = r
	}
	changed := 0
	for _, l := range levels {
		var owner *int64
		if l.OwnerCode != "" {
			id := ids[l.OwnerCode]
			owner = &id
		}
		conf := ""
		if len(l.Confirmations) > 0 {
			b, err := json.Marshal(l.Confirmations)
			if err != nil {
				return 0, fmt.Errorf("store: confirmations: %w", err)
			}
			conf = string(b)
		}
		row := spbeLevelRow{FrameworkID: k.Framework, AgencyID: ids[k.Government], Year: k.Year, Stage: string(k.Stage),
			Indicator: l.Indicator, Level: l.Level, EvidenceURL: l.EvidenceURL, OwnerAgencyID: owner, Note: l.Note,
			Confirmations: conf, UpdatedAt: now.UTC()}
		cur, ok := byIndicator[l.Indicator]
		if ok && sameLevel(cur, row) {
			continue
		}
		changed++
		if !ok {
			if err := s.conn(ctx).Omit("OwnerCode").Create(&row).Error; err != nil {
				return 0, wrap("insert assessed level", err)
			}
			continue
		}
		err := s.conn(ctx).Model(&spbeLevelRow{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"level": row.Level, "evidence_url": row.EvidenceURL, "owner_agency_id": row.OwnerAgencyID,
			"note": row.Note, "confirmations": row.Confirmations, "updated_at": row.UpdatedAt}).Error
		if err != nil {
			return 0, wrap("update assessed level", err)
		}
	}
	return changed, nil
}

func sameLevel(a, b spbeLevelRow) bool {
	sameOwner := (a.OwnerAgencyID == nil) == (b.OwnerAgencyID == nil) &&
		(a.OwnerAgencyID == nil || *a.OwnerAgencyID == *b.OwnerAgencyID)
	return a.Level == b.Level && a.EvidenceURL == b.EvidenceURL && a.Note == b.Note && sameOwner &&
		sameConfirmations(a.Confirmations, b.Confirmations)
}

func sameConfirmations(a, b string) bool {
	if a == b {
		return true
	}
	var ma, mb map[string]bool
	_ = json.Unmarshal([]byte(a), &ma)
	_ = json.Unmarshal([]byte(b), &mb)
	return maps.Equal(ma, mb)
}

// SPBEAssessmentSet names a stored assessment and how many levels it has.
type SPBEAssessmentSet struct {
	Year   int
	Stage  domain.SPBEStage
	Levels int
}

// SPBEAssessmentSets lists a government's assessments under a framework,
// newest year first.
func (s *Store) SPBEAssessmentSets(ctx context.Context, framework, government string) ([]SPBEAssessmentSet, error) {
	ids, err := s.agencyIDs(ctx, government)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Year  int
		Stage string
		N     int
	}
	err = s.conn(ctx).Model(&spbeLevelRow{}).Select("year, stage, COUNT(*) AS n").
		Where("framework_id = ? AND agency_id = ?", framework, ids[government]).
		Group("year, stage").Order("year DESC, stage").Scan(&rows).Error
	if err != nil {
		return nil, wrap("assessment sets", err)
	}
	out := make([]SPBEAssessmentSet, len(rows))
	for i, r := range rows {
		out[i] = SPBEAssessmentSet{Year: r.Year, Stage: domain.SPBEStage(r.Stage), Levels: r.N}
	}
	return out, nil
}

func (s *Store) resultQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("spbe_index_results AS r").
		Select("r.*, a.code AS code, a.name AS name, a.kind AS kind, p.code AS parent_code").
		Joins("JOIN agencies AS a ON a.id = r.agency_id").
		Joins("LEFT JOIN agencies AS p ON p.id = a.parent_id")
}

// AppendIndexResult stores a result unless the latest result with the same
// government, framework, year, stage and source already says the same
// (framework version, values, predicate, domains and detail). It reports
// whether a row was written, so replays change nothing while a changed
// recomputation keeps the earlier value in the history.
func (s *Store) AppendIndexResult(ctx context.Context, r domain.SPBEIndexResult) (bool, error) {
	ids, err := s.agencyIDs(ctx, r.Government)
	if err != nil {
		return false, err
	}
	domains, err := json.Marshal(r.Domains)
	if err != nil {
		return false, fmt.Errorf("store: index result domains: %w", err)
	}
	row := spbeResultRow{AgencyID: ids[r.Government], FrameworkID: r.Framework, FrameworkVersion: r.FrameworkVersion,
		Year: r.Year, Stage: string(r.Stage), Source: string(r.Source), IndexPublished: r.Index, IndexExact: r.IndexExact,
		Predicate: r.Predicate, Banding: r.Banding, DomainsJSON: string(domains), DetailJSON: compactJSON(r.Detail),
		ComputedAt: r.ComputedAt.UTC()}
	var latest []spbeResultRow
	err = s.conn(ctx).Where("agency_id = ? AND framework_id = ? AND year = ? AND stage = ? AND source = ?",
		row.AgencyID, row.FrameworkID, row.Year, row.Stage, row.Source).Order("id DESC").Limit(1).Find(&latest).Error
	if err != nil {
		return false, wrap("latest index result", err)
	}
	if len(latest) == 1 && sameResult(latest[0], row) {
		return false, nil
	}
	if err := s.conn(ctx).Omit("Code", "Name", "Kind", "ParentCode").Create(&row).Error; err != nil {
		return false, wrap("append index result", err)
	}
	return true, nil
}

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func sameResult(a, b spbeResultRow) bool {
	return a.FrameworkVersion == b.FrameworkVersion && a.IndexPublished == b.IndexPublished &&
		a.IndexExact == b.IndexExact && a.Predicate == b.Predicate && a.Banding == b.Banding &&
		a.DomainsJSON == b.DomainsJSON && a.DetailJSON == b.DetailJSON
}

// IndexResultFilter selects the latest index result per government, year,
// stage and source.
type IndexResultFilter struct {
	Framework   string
	Years       []int
	Stage       domain.SPBEStage
	Source      domain.SPBESource
	Governments []string            // these agency codes
	ParentCode  string              // direct children of this agency
	Kinds       []domain.AgencyKind // governments of these kinds
}

// LatestIndexResults returns, for each government, year, stage and source
// matching f, its latest stored result, ordered by year then code.
func (s *Store) LatestIndexResults(ctx context.Context, f IndexResultFilter) ([]domain.SPBEIndexResult, error) {
	latest := s.conn(ctx).Model(&spbeResultRow{}).Select("MAX(id)").Group("agency_id, framework_id, year, stage, source")
	q := s.resultQuery(ctx).Where("r.id IN (?)", latest)
	if f.Framework != "" {
		q = q.Where("r.framework_id = ?", f.Framework)
	}
	if len(f.Years) > 0 {
		q = q.Where("r.year IN ?", f.Years)
	}
	if f.Stage != "" {
		q = q.Where("r.stage = ?", string(f.Stage))
	}
	if f.Source != "" {
		q = q.Where("r.source = ?", string(f.Source))
	}
	if len(f.Governments) > 0 {
		q = q.Where("a.code IN ?", f.Governments)
	}
	if f.ParentCode != "" {
		q = q.Where("p.code = ?", f.ParentCode)
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		q = q.Where("a.kind IN ?", kinds)
	}
	var rows []spbeResultRow
	if err := q.Order("r.year, a.code, r.stage, r.source").Find(&rows).Error; err != nil {
		return nil, wrap("latest index results", err)
	}
	return resultsToDomain(rows)
}

// IndexHistory returns every stored result of a government (all years,
// stages, sources and recomputations), oldest first.
func (s *Store) IndexHistory(ctx context.Context, government, framework string) ([]domain.SPBEIndexResult, error) {
	q := s.resultQuery(ctx).Where("a.code = ?", government)
	if framework != "" {
		q = q.Where("r.framework_id = ?", framework)
	}
	var rows []spbeResultRow
	if err := q.Order("r.year, r.stage, r.source, r.id").Find(&rows).Error; err != nil {
		return nil, wrap("index history", err)
	}
	return resultsToDomain(rows)
}

// CountIndexResults counts stored results (every version) by source.
func (s *Store) CountIndexResults(ctx context.Context) (map[domain.SPBESource]int64, error) {
	var rows []struct {
		Source string
		N      int64
	}
	if err := s.conn(ctx).Model(&spbeResultRow{}).Select("source, COUNT(*) AS n").Group("source").Scan(&rows).Error; err != nil {
		return nil, wrap("count index results", err)
	}
	out := make(map[domain.SPBESource]int64, len(rows))
	for _, r := range rows {
		out[domain.SPBESource(r.Source)] = r.N
	}
	return out, nil
}

func resultsToDomain(rows []spbeResultRow) ([]domain.SPBEIndexResult, error) {
	out := make([]domain.SPBEIndexResult, 0, len(rows))
	for _, r := range rows {
		d, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
