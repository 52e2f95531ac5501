package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tanggap-id/tanggap/internal/domain"
)

type agencyRow struct {
	ID             int64 `gorm:"primaryKey"`
	Code           string
	Kind           string
	Name           string
	ShortName      string
	ParentID       *int64
	Path           string
	Depth          int
	GovernmentCode string
	TimeZone       string
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// ParentCode is read through a join, never written.
	ParentCode string `gorm:"->;-:migration"`
}

func (agencyRow) TableName() string { return "agencies" }

type agencyExternalIDRow struct {
	AgencyID   int64
	System     string
	ExternalID string
}

func (agencyExternalIDRow) TableName() string { return "agency_external_ids" }

func (r agencyRow) toDomain() domain.Agency {
	return domain.Agency{
		Code: r.Code, Kind: domain.AgencyKind(r.Kind), Name: r.Name, ShortName: r.ShortName,
		ParentCode: r.ParentCode, GovernmentCode: r.GovernmentCode, TimeZone: r.TimeZone, Active: r.Active,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// pathOf is the materialised path of a node under parentPath.
func pathOf(parentPath, code string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + code + "/"
}

// subtreeBounds turns a path prefix into a half-open byte range: codes use
// no byte between '/' and '0', so "/32/" ≤ p < "/320" is exactly the subtree,
// and an ordinary index serves it (no LIKE escaping of '_' in codes).
func subtreeBounds(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

func (s *Store) agencyQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("agencies AS a").
		Select("a.*, p.code AS parent_code").
		Joins("LEFT JOIN agencies AS p ON p.id = a.parent_id")
}

func (s *Store) agencyRowByCode(ctx context.Context, code string) (agencyRow, error) {
	var row agencyRow
	err := s.agencyQuery(ctx).Where("a.code = ?", code).Take(&row).Error
	if err != nil {
		return row, wrap("agency "+code, err)
	}
	return row, nil
}

// AgencyByCode returns one agency with its external ids.
func (s *Store) AgencyByCode(ctx context.Context, code string) (domain.Agency, error) {
	row, err := s.agencyRowByCode(ctx, code)
	if err != nil {
		return domain.Agency{}, err
	}
	a := row.toDomain()
	ids, err := s.externalIDs(ctx, []int64{row.ID})
	if err != nil {
		return a, err
	}
	a.ExternalIDs = ids[row.ID]
	return a, nil
}

func (s *Store) externalIDs(ctx context.Context, agencyIDs []int64) (map[int64]map[string]string, error) {
	out := make(map[int64]map[string]string)
	if len(agencyIDs) == 0 {
		return out, nil
	}
	var rows []agencyExternalIDRow
	if err := s.conn(ctx).Where("agency_id IN ?", agencyIDs).Order("system").Find(&rows).Error; err != nil {
		return nil, wrap("external ids", err)
	}
	for _, r := range rows {
		if out[r.AgencyID] == nil {
			out[r.AgencyID] = make(map[string]string)
		}
		out[r.AgencyID][r.System] = r.ExternalID
	}
	return out, nil
}

// AgencyByExternalID finds the agency another system (e.g. "lapor") knows by id.
func (s *Store) AgencyByExternalID(ctx context.Context, system, id string) (domain.Agency, error) {
	var ext agencyExternalIDRow
	if err := s.conn(ctx).Where("system = ? AND external_id = ?", system, id).Take(&ext).Error; err != nil {
		return domain.Agency{}, wrap("agency by "+system+" id", err)
	}
	var row agencyRow
	if err := s.agencyQuery(ctx).Where("a.id = ?", ext.AgencyID).Take(&row).Error; err != nil {
		return domain.Agency{}, wrap("agency by "+system+" id", err)
	}
	return row.toDomain(), nil
}

// AgencyFilter selects agencies for a listing.
type AgencyFilter struct {
	ParentCode string // direct children of this agency
	Under      string // anywhere in this agency's subtree (excluding itself)
	Kinds      []domain.AgencyKind
	Search     string // case-insensitive match on name, short name or code
	ActiveOnly bool
	Limit      int
	Offset     int
}

// ListAgencies returns a page of agencies ordered by code, and the total.
func (s *Store) ListAgencies(ctx context.Context, f AgencyFilter) ([]domain.Agency, int64, error) {
	q := s.agencyQuery(ctx)
	if f.ParentCode != "" {
		q = q.Where("p.code = ?", f.ParentCode)
	}
	if f.Under != "" {
		root, err := s.agencyRowByCode(ctx, f.Under)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeBounds(root.Path)
		q = q.Where("a.path > ? AND a.path < ?", lo, hi)
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		q = q.Where("a.kind IN ?", kinds)
	}
	if f.Search != "" {
		like := "%" + strings.ToLower(escapeLike(f.Search)) + "%"
		q = q.Where("(LOWER(a.name) LIKE ? ESCAPE '\\' OR LOWER(a.short_name) LIKE ? ESCAPE '\\' OR a.code LIKE ? ESCAPE '\\')", like, like, like)
	}
	if f.ActiveOnly {
		q = q.Where("a.active = ?", true)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, wrap("list agencies", err)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var rows []agencyRow
	if err := q.Order("a.code").Find(&rows).Error; err != nil {
		return nil, 0, wrap("list agencies", err)
	}
	out := make([]domain.Agency, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AgencyChildren lists an agency's direct children ordered by code.
func (s *Store) AgencyChildren(ctx context.Context, code string) ([]domain.Agency, error) {
	list, _, err := s.ListAgencies(ctx, AgencyFilter{ParentCode: code})
	return list, err
}

// IsInSubtree reports whether code is ancestor itself or lies beneath it.
func (s *Store) IsInSubtree(ctx context.Context, ancestor, code string) (bool, error) {
	if ancestor == code {
		return true, nil
	}
	var rows []agencyRow
	if err := s.conn(ctx).Select("code, path").Where("code IN ?", []string{ancestor, code}).Find(&rows).Error; err != nil {
		return false, wrap("subtree check", err)
	}
	var anc, node string
	for _, r := range rows {
		if r.Code == ancestor {
			anc = r.Path
		} else {
			node = r.Path
		}
	}
	if anc == "" {
		return false, wrap("subtree check", fmt.Errorf("agency %s: %w", ancestor, domain.ErrNotFound))
	}
	if node == "" {
		return false, wrap("subtree check", fmt.Errorf("agency %s: %w", code, domain.ErrNotFound))
	}
	return strings.HasPrefix(node, anc), nil
}

// governmentCode is the nearest government at or above a node: the code of
// the node itself when it is one, else its parent's government.
func governmentCode(kind domain.AgencyKind, code, parentGovernment string) string {
	if kind.IsGovernment() || parentGovernment == "" {
		return code
	}
	return parentGovernment
}

// CreateAgency inserts a new agency under its parent (if any).
func (s *Store) CreateAgency(ctx context.Context, a domain.Agency) (domain.Agency, error) {
	now := time.Now().UTC()
	row := agencyRow{Code: a.Code, Kind: string(a.Kind), Name: a.Name, ShortName: a.ShortName,
		TimeZone: a.TimeZone, Active: a.Active, CreatedAt: now, UpdatedAt: now}
	parentGov := ""
	row.Path = pathOf("", a.Code)
	if a.ParentCode != "" {
		parent, err := s.agencyRowByCode(ctx, a.ParentCode)
		if err != nil {
			return domain.Agency{}, fmt.Errorf("parent_code %s: %w", a.ParentCode, err)
		}
		row.ParentID = &parent.ID
		row.Path = pathOf(parent.Path, a.Code)
		row.Depth = parent.Depth + 1
		parentGov = parent.GovernmentCode
	}
	row.GovernmentCode = governmentCode(a.Kind, a.Code, parentGov)
	if err := s.conn(ctx).Omit("ParentCode").Create(&row).Error; err != nil {
		return domain.Agency{}, wrap("create agency "+a.Code, err)
	}
	if err := s.replaceExternalIDs(ctx, row.ID, a.ExternalIDs); err != nil {
		return domain.Agency{}, err
	}
	return s.AgencyByCode(ctx, a.Code)
}

func (s *Store) replaceExternalIDs(ctx context.Context, agencyID int64, ids map[string]string) error {
	if err := s.conn(ctx).Where("agency_id = ?", agencyID).Delete(&agencyExternalIDRow{}).Error; err != nil {
		return wrap("external ids", err)
	}
	if len(ids) == 0 {
		return nil
	}
	systems := make([]string, 0, len(ids))
	for k := range ids {
		systems = append(systems, k)
	}
	sort.Strings(systems)
	rows := make([]agencyExternalIDRow, 0, len(ids))
	for _, sys := range systems {
		rows = append(rows, agencyExternalIDRow{AgencyID: agencyID, System: sys, ExternalID: ids[sys]})
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return wrap("external ids", err)
	}
	return nil
}

// UpdateAgency changes an agency's fields, moving it (and its subtree) when
// its parent changes. A move under its own subtree is rejected as a cycle.
// Call it inside InTx: a move touches many rows.
func (s *Store) UpdateAgency(ctx context.Context, a domain.Agency) (domain.Agency, error) {
	cur, err := s.agencyRowByCode(ctx, a.Code)
	if err != nil {
		return domain.Agency{}, err
	}
	updates := map[string]any{
		"kind": string(a.Kind), "name": a.Name, "short_name": a.ShortName,
		"time_zone": a.TimeZone, "active": a.Active, "updated_at": time.Now().UTC(),
	}
	if a.ParentCode != cur.ParentCode {
		if err := s.moveAgency(ctx, cur, a.ParentCode); err != nil {
			return domain.Agency{}, err
		}
	}
	if err := s.conn(ctx).Model(&agencyRow{}).Where("id = ?", cur.ID).Updates(updates).Error; err != nil {
		return domain.Agency{}, wrap("update agency "+a.Code, err)
	}
	if a.Kind != domain.AgencyKind(cur.Kind) || a.ParentCode != cur.ParentCode {
		if err := s.refreshGovernmentCodes(ctx, a.Code); err != nil {
			return domain.Agency{}, err
		}
	}
	if a.ExternalIDs != nil {
		if err := s.replaceExternalIDs(ctx, cur.ID, a.ExternalIDs); err != nil {
			return domain.Agency{}, err
		}
	}
	return s.AgencyByCode(ctx, a.Code)
}

func (s *Store) moveAgency(ctx context.Context, cur agencyRow, newParentCode string) error {
	newParentPath, depth := "", 0
	var parentID *int64
	if newParentCode != "" {
		parent, err := s.agencyRowByCode(ctx, newParentCode)
		if err != nil {
			return fmt.Errorf("parent_code %s: %w", newParentCode, err)
		}
		if strings.HasPrefix(parent.Path, cur.Path) {
			return domain.Invalidf("parent_code", "moving %s under %s would make a cycle", cur.Code, newParentCode)
		}
		newParentPath, depth, parentID = parent.Path, parent.Depth+1, &parent.ID
	}
	newPath := pathOf(newParentPath, cur.Code)
	lo, hi := subtreeBounds(cur.Path)
	var sub []agencyRow
	if err := s.conn(ctx).Select("id, path, depth").Where("path >= ? AND path < ?", lo, hi).Find(&sub).Error; err != nil {
		return wrap("move agency", err)
	}
	for _, r := range sub {
		p := newPath + strings.TrimPrefix(r.Path, cur.Path)
		d := r.Depth - cur.Depth + depth
		if err := s.conn(ctx).Model(&agencyRow{}).Where("id = ?", r.ID).Updates(map[string]any{"path": p, "depth": d}).Error; err != nil {
			return wrap("move agency", err)
		}
	}
	if err := s.conn(ctx).Model(&agencyRow{}).Where("id = ?", cur.ID).Update("parent_id", parentID).Error; err != nil {
		return wrap("move agency", err)
	}
	return nil
}

// refreshGovernmentCodes recomputes the derived government code of a node
// and everything beneath it, top-down.
func (s *Store) refreshGovernmentCodes(ctx context.Context, code string) error {
	root, err := s.agencyRowByCode(ctx, code)
	if err != nil {
		return err
	}
	parentGov := ""
	if root.ParentCode != "" {
		p, err := s.agencyRowByCode(ctx, root.ParentCode)
		if err != nil {
			return err
		}
		parentGov = p.GovernmentCode
	}
	lo, hi := subtreeBounds(root.Path)
	var sub []agencyRow
	if err := s.agencyQuery(ctx).Where("a.path >= ? AND a.path < ?", lo, hi).Order("a.depth").Find(&sub).Error; err != nil {
		return wrap("government codes", err)
	}
	gov := map[string]string{}
	for _, r := range sub {
		pg := gov[r.ParentCode]
		if r.Code == root.Code {
			pg = parentGov
		}
		g := governmentCode(domain.AgencyKind(r.Kind), r.Code, pg)
		gov[r.Code] = g
		if g != r.GovernmentCode {
			if err := s.conn(ctx).Model(&agencyRow{}).Where("id = ?", r.ID).Update("government_code", g).Error; err != nil {
				return wrap("government codes", err)
			}
		}
	}
	return nil
}

// CountAgencies counts agencies by kind.
func (s *Store) CountAgencies(ctx context.Context) (map[domain.AgencyKind]int64, error) {
	var rows []struct {
		Kind string
		N    int64
	}
	if err := s.conn(ctx).Model(&agencyRow{}).Select("kind, COUNT(*) AS n").Group("kind").Scan(&rows).Error; err != nil {
		return nil, wrap("count agencies", err)
	}
	out := make(map[domain.AgencyKind]int64, len(rows))
	for _, r := range rows {
		out[domain.AgencyKind(r.Kind)] = r.N
	}
	return out, nil
}

// ChildCounts returns, for each child of parentCode, how many children it has
// in turn (e.g. regencies/cities per province) in one query; with kinds,
// only grandchildren of those kinds count.
func (s *Store) ChildCounts(ctx context.Context, parentCode string, kinds ...domain.AgencyKind) (map[string]int64, error) {
	var rows []struct {
		Code string
		N    int64
	}
	grandchildren := s.conn(ctx).Table("agencies AS c").
		Select("c.code AS code, COUNT(g.id) AS n").
		Joins("JOIN agencies AS p ON p.id = c.parent_id")
	if len(kinds) > 0 {
		ks := make([]string, len(kinds))
		for i, k := range kinds {
			ks[i] = string(k)
		}
		grandchildren = grandchildren.Joins("LEFT JOIN agencies AS g ON g.parent_id = c.id AND g.kind IN ?", ks)
	} else {
		grandchildren = grandchildren.Joins("LEFT JOIN agencies AS g ON g.parent_id = c.id")
	}
	err := grandchildren.Where("p.code = ?", parentCode).Group("c.code").Scan(&rows).Error
	if err != nil {
		return nil, wrap("child counts", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.N
	}
	return out, nil
}
