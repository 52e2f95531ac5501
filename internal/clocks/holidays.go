package clocks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tanggap-id/tanggap/internal/access"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// Change is why and on what authority the holiday set changes; both are
// required and recorded with the calendar version and in the audit log.
type Change struct {
	Reason string `json:"reason"`
	Source string `json:"source"` // the decree, e.g. "SKB 3 Menteri No. 1017/2024"
}

func (c Change) validate() error {
	v := &domain.ValidationError{Message: "a holiday change needs a reason and a source"}
	if strings.TrimSpace(c.Reason) == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "reason", Reason: "required: say why the calendar changes"})
	}
	if strings.TrimSpace(c.Source) == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "source", Reason: "required: name the decree or document"})
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// HolidayResult says what a holiday change did.
type HolidayResult struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Removed   int `json:"removed"`
	Unchanged int `json:"unchanged"`
	// Version is the calendar version the change created (nil when nothing
	// changed).
	Version *store.CalendarVersion `json:"calendar_version,omitempty"`
	// Recomputed is the recompute of the running clocks the change touched.
	Recomputed Report `json:"recomputed"`
}

func validateHoliday(h workcal.Holiday) error {
	v := &domain.ValidationError{Message: "invalid holiday"}
	if !h.Date.Valid() {
		v.Details = append(v.Details, domain.FieldError{Field: "date", Reason: "required, YYYY-MM-DD"})
	}
	if !h.Kind.Valid() {
		v.Details = append(v.Details, domain.FieldError{Field: "kind", Reason: fmt.Sprintf("unknown kind %q; valid: %s, %s", h.Kind, workcal.LiburNasional, workcal.CutiBersama)})
	}
	if strings.TrimSpace(h.NameID) == "" {
		v.Details = append(v.Details, domain.FieldError{Field: "name_id", Reason: "required"})
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// Holidays lists the stored holidays, of one year when year > 0.
func (s *Service) Holidays(ctx context.Context, year int) ([]workcal.Holiday, store.CalendarVersion, error) {
	cal, v, err := s.calendars.Current(ctx) // seeds on first use
	if err != nil {
		return nil, v, err
	}
	v.Hash = cal.Version()
	var hs []workcal.Holiday
	if year > 0 {
		hs, err = s.store.HolidaysInYear(ctx, year)
	} else {
		hs, err = s.store.Holidays(ctx)
	}
	return hs, v, err
}

// CalendarHistory returns the calendar versions, newest first.
func (s *Service) CalendarHistory(ctx context.Context, limit int) ([]store.CalendarVersion, error) {
	return s.store.CalendarVersions(ctx, limit)
}

// holidayOp is one change to apply inside the transaction.
type holidayOp struct {
	remove bool
	h      workcal.Holiday
	// mustExist / mustNotExist make add and update strict; import upserts.
	mustExist, mustNotExist bool
}

// AddHoliday adds a holiday on a day that has none.
func (s *Service) AddHoliday(ctx context.Context, actor access.Principal, h workcal.Holiday, ch Change) (HolidayResult, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return HolidayResult{}, err
	}
	if err := validateHoliday(h); err != nil {
		return HolidayResult{}, err
	}
	return s.changeHolidays(ctx, actor, ch, []holidayOp{{h: h, mustNotExist: true}})
}

// UpdateHoliday corrects the holiday on h.Date (kind, names, source).
func (s *Service) UpdateHoliday(ctx context.Context, actor access.Principal, h workcal.Holiday, ch Change) (HolidayResult, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return HolidayResult{}, err
	}
	if err := validateHoliday(h); err != nil {
		return HolidayResult{}, err
	}
	return s.changeHolidays(ctx, actor, ch, []holidayOp{{h: h, mustExist: true}})
}

// RemoveHoliday removes the holiday on d.
func (s *Service) RemoveHoliday(ctx context.Context, actor access.Principal, d workcal.Date, ch Change) (HolidayResult, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return HolidayResult{}, err
	}
	if !d.Valid() {
		return HolidayResult{}, domain.Invalid("date", "required, YYYY-MM-DD")
	}
	return s.changeHolidays(ctx, actor, ch, []holidayOp{{remove: true, h: workcal.Holiday{Date: d}, mustExist: true}})
}

// ImportHolidays adds or corrects every holiday of a holidays-id.csv file
// (date, kind, name_id, name_en, source) as one calendar version. Days not in
// the file are kept: removing a holiday is always explicit.
func (s *Service) ImportHolidays(ctx context.Context, actor access.Principal, r io.Reader, ch Change) (HolidayResult, error) {
	if err := access.RequireAdmin(actor); err != nil {
		return HolidayResult{}, err
	}
	hs, err := workcal.ParseHolidaysCSV(r)
	if err != nil {
		return HolidayResult{}, err
	}
	ops := make([]holidayOp, 0, len(hs))
	for _, h := range hs {
		if h.Source == "" {
			h.Source = ch.Source
		}
		ops = append(ops, holidayOp{h: h})
	}
	return s.changeHolidays(ctx, actor, ch, ops)
}

// changeHolidays applies the operations, checks that the result is still a
// valid calendar, records the version and one audit row per changed day in
// the same transaction, then recomputes the running clocks whose window
// contains a day whose working status changed.
func (s *Service) changeHolidays(ctx context.Context, actor access.Principal, ch Change, ops []holidayOp) (HolidayResult, error) {
	var res HolidayResult
	if err := access.RequireAdmin(actor); err != nil {
		return res, err
	}
	if err := ch.validate(); err != nil {
		return res, err
	}
	if _, _, err := s.calendars.Current(ctx); err != nil { // seed first, so the change is relative to the catalogue
		return res, err
	}
	var moved []workcal.Date // days whose working status changed
	var before string
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		old, err := tx.Holidays(ctx)
		if err != nil {
			return err
		}
		before = workcal.ContentVersion(old)
		now := s.now()
		rec := s.audit.WithStore(tx)
		for _, op := range ops {
			cur, err := tx.HolidayOn(ctx, op.h.Date)
			exists := err == nil
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			key := op.h.Date.String()
			switch {
			case op.mustExist && !exists:
				return fmt.Errorf("no holiday on %s: %w", key, domain.ErrNotFound)
			case op.mustNotExist && exists:
				return fmt.Errorf("%s is already a holiday (%s); correct it with an update: %w", key, cur.NameID, domain.ErrConflict)
			case op.remove:
				if err := tx.DeleteHoliday(ctx, op.h.Date); err != nil {
					return err
				}
				res.Removed++
				moved = append(moved, op.h.Date)
				if err := rec.RecordTx(ctx, actor.Actor(), "delete", "holiday", key, auditHoliday(cur, Change{}), auditHoliday(workcal.Holiday{}, ch)); err != nil {
					return err
				}
			case !exists:
				if err := tx.InsertHoliday(ctx, op.h, now); err != nil {
					return err
				}
				res.Added++
				moved = append(moved, op.h.Date)
				if err := rec.RecordTx(ctx, actor.Actor(), "create", "holiday", key, nil, auditHoliday(op.h, ch)); err != nil {
					return err
				}
			case cur == op.h:
				res.Unchanged++
			default:
				if err := tx.UpdateHoliday(ctx, op.h, now); err != nil {
					return err
				}
				res.Updated++
				if err := rec.RecordTx(ctx, actor.Actor(), "update", "holiday", key, auditHoliday(cur, Change{}), auditHoliday(op.h, ch)); err != nil {
					return err
				}
			}
		}
		if res.Added+res.Updated+res.Removed == 0 {
			return nil
		}
		all, err := tx.Holidays(ctx)
		if err != nil {
			return err
		}
		hash := workcal.ContentVersion(all)
		if _, err := workcal.New(all, hash); err != nil {
			return fmt.Errorf("the change would leave an invalid calendar: %w", err)
		}
		v, err := tx.InsertCalendarVersion(ctx, store.CalendarVersion{Hash: hash, Reason: ch.Reason, Source: ch.Source, Actor: actor.Actor(), CreatedAt: now})
		if err != nil {
			return err
		}
		res.Version = &v
		return nil
	})
	if err != nil || res.Version == nil {
		return res, err
	}
	if res.Version.Hash == before {
		return res, nil // names or sources only: no day changed status
	}
	rep, err := s.recomputeTouching(ctx, moved)
	res.Recomputed = rep
	if err != nil {
		return res, fmt.Errorf("calendar version %d stored, but recomputing the touched clocks failed (run tanggap recompute): %w", res.Version.ID, err)
	}
	return res, nil
}

// auditHoliday is the audit shape of a holiday with the change's reason.
func auditHoliday(h workcal.Holiday, ch Change) map[string]any {
	m := map[string]any{}
	if h.Date.Valid() {
		m["date"], m["kind"], m["name_id"], m["name_en"], m["source"] = h.Date.String(), h.Kind, h.NameID, h.NameEN, h.Source
	}
	if ch.Reason != "" {
		m["reason"], m["change_source"] = ch.Reason, ch.Source
	}
	return m
}
