package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

type holidayRow struct {
	ID        int64 `gorm:"primaryKey"`
	Day       string
	Kind      string
	NameID    string
	NameEN    string
	Source    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (holidayRow) TableName() string { return "holidays" }

func (r holidayRow) toDomain() (workcal.Holiday, error) {
	d, err := workcal.ParseDate(r.Day)
	if err != nil {
		return workcal.Holiday{}, fmt.Errorf("store: holiday row %d: %w", r.ID, err)
	}
	return workcal.Holiday{Date: d, Kind: workcal.HolidayKind(r.Kind), NameID: r.NameID, NameEN: r.NameEN, Source: r.Source}, nil
}

type calendarVersionRow struct {
	ID          int64 `gorm:"primaryKey"`
	HolidayHash string
	Reason      string
	Source      string
	Actor       string
	CreatedAt   time.Time
}

func (calendarVersionRow) TableName() string { return "calendar_versions" }

// CalendarVersion is one recorded change of the holiday set. Hash is the
// content version (workcal.ContentVersion) clocks computed with the resulting
// calendar carry.
type CalendarVersion struct {
	ID        int64     `json:"id"`
	Hash      string    `json:"version"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

func (r calendarVersionRow) toDomain() CalendarVersion {
	return CalendarVersion{ID: r.ID, Hash: r.HolidayHash, Reason: r.Reason, Source: r.Source, Actor: r.Actor, CreatedAt: r.CreatedAt.UTC()}
}

// Holidays returns every holiday, sorted by date.
func (s *Store) Holidays(ctx context.Context) ([]workcal.Holiday, error) {
	return s.holidaysWhere(ctx, "", "")
}

// HolidaysInYear returns the holidays of one year, sorted by date.
func (s *Store) HolidaysInYear(ctx context.Context, year int) ([]workcal.Holiday, error) {
	y := strconv.Itoa(year)
	return s.holidaysWhere(ctx, y+"-01-01", y+"-12-31")
}

func (s *Store) holidaysWhere(ctx context.Context, from, to string) ([]workcal.Holiday, error) {
	q := s.conn(ctx).Model(&holidayRow{})
	if from != "" {
		q = q.Where("day >= ? AND day <= ?", from, to)
	}
	var rows []holidayRow
	if err := q.Order("day").Find(&rows).Error; err != nil {
		return nil, wrap("list holidays", err)
	}
	out := make([]workcal.Holiday, 0, len(rows))
	for _, r := range rows {
		h, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// HolidayOn returns the holiday on d, or domain.ErrNotFound.
func (s *Store) HolidayOn(ctx context.Context, d workcal.Date) (workcal.Holiday, error) {
	var row holidayRow
	if err := s.conn(ctx).Where("day = ?", d.String()).Take(&row).Error; err != nil {
		return workcal.Holiday{}, wrap("holiday "+d.String(), err)
	}
	return row.toDomain()
}

// InsertHoliday adds a holiday; a day that already has one is ErrConflict.
func (s *Store) InsertHoliday(ctx context.Context, h workcal.Holiday, now time.Time) error {
	row := holidayRow{Day: h.Date.String(), Kind: string(h.Kind), NameID: h.NameID, NameEN: h.NameEN, Source: h.Source,
		CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	return wrap("insert holiday "+row.Day, s.conn(ctx).Create(&row).Error)
}

// UpdateHoliday rewrites the holiday on h.Date; a day without one is ErrNotFound.
func (s *Store) UpdateHoliday(ctx context.Context, h workcal.Holiday, now time.Time) error {
	res := s.conn(ctx).Model(&holidayRow{}).Where("day = ?", h.Date.String()).Updates(map[string]any{
		"kind": string(h.Kind), "name_id": h.NameID, "name_en": h.NameEN, "source": h.Source, "updated_at": now.UTC()})
	if res.Error != nil {
		return wrap("update holiday", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: holiday %s: %w", h.Date, domain.ErrNotFound)
	}
	return nil
}

// DeleteHoliday removes the holiday on d; a day without one is ErrNotFound.
func (s *Store) DeleteHoliday(ctx context.Context, d workcal.Date) error {
	res := s.conn(ctx).Where("day = ?", d.String()).Delete(&holidayRow{})
	if res.Error != nil {
		return wrap("delete holiday", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: holiday %s: %w", d, domain.ErrNotFound)
	}
	return nil
}

// InsertCalendarVersion records a change of the holiday set.
func (s *Store) InsertCalendarVersion(ctx context.Context, v CalendarVersion) (CalendarVersion, error) {
	row := calendarVersionRow{HolidayHash: v.Hash, Reason: v.Reason, Source: v.Source, Actor: v.Actor, CreatedAt: v.CreatedAt.UTC()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return CalendarVersion{}, wrap("insert calendar version", err)
	}
	return row.toDomain(), nil
}

// LatestCalendarVersion returns the newest calendar version, or ErrNotFound
// before the holidays were first seeded.
func (s *Store) LatestCalendarVersion(ctx context.Context) (CalendarVersion, error) {
	var row calendarVersionRow
	err := s.conn(ctx).Order("id DESC").Limit(1).Take(&row).Error
	if err != nil {
		return CalendarVersion{}, wrap("latest calendar version", err)
	}
	return row.toDomain(), nil
}

// CalendarVersions returns the change history, newest first.
func (s *Store) CalendarVersions(ctx context.Context, limit int) ([]CalendarVersion, error) {
	var rows []calendarVersionRow
	q := s.conn(ctx).Order("id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrap("calendar versions", err)
	}
	out := make([]CalendarVersion, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
