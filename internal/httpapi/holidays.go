package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/clocks"
	"github.com/tanggap-id/tanggap/internal/domain"
	"github.com/tanggap-id/tanggap/internal/store"
	"github.com/tanggap-id/tanggap/internal/workcal"
)

// HolidayAPI serves /api/v1/holidays: the working-day calendar as data.
type HolidayAPI struct {
	svc *clocks.Service
	log *slog.Logger
}

// Register adds the holiday routes. Reads are public; changes are admin
// only and need a reason and a source.
func (h *HolidayAPI) Register(rg *gin.RouterGroup) {
	rg.GET("/holidays", h.list)
	rg.GET("/holidays/versions", h.versions)
	rg.POST("/holidays", h.add)
	rg.POST("/holidays/import", h.importCSV)
	rg.PUT("/holidays/:date", h.update)
	rg.DELETE("/holidays/:date", h.remove)
}

// holidayJSON is the wire shape of a holiday.
type holidayJSON struct {
	Date   workcal.Date        `json:"date"`
	Kind   workcal.HolidayKind `json:"kind"`
	NameID string              `json:"name_id"`
	NameEN string              `json:"name_en"`
	Source string              `json:"source"`
}

// holidayBody is a holiday change: the day, and why (reason) on what
// authority (source, the decree, also recorded as the day's source).
type holidayBody struct {
	Date   *workcal.Date       `json:"date"`
	Kind   workcal.HolidayKind `json:"kind"`
	NameID string              `json:"name_id"`
	NameEN string              `json:"name_en"`
	Source string              `json:"source"`
	Reason string              `json:"reason"`
}

func (b holidayBody) holiday() workcal.Holiday {
	h := workcal.Holiday{Kind: b.Kind, NameID: b.NameID, NameEN: b.NameEN, Source: b.Source}
	if b.Date != nil {
		h.Date = *b.Date
	}
	return h
}

type holidayList struct {
	CalendarVersion store.CalendarVersion `json:"calendar_version"`
	Items           []holidayJSON         `json:"items"`
}

func (h *HolidayAPI) list(c *gin.Context) {
	year := 0
	if v := c.Query("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 2200 {
			Abort(c, h.log, domain.Invalid("year", "must be a year such as 2025"))
			return
		}
		year = y
	}
	hs, v, err := h.svc.Holidays(c.Request.Context(), year)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	out := holidayList{CalendarVersion: v, Items: make([]holidayJSON, len(hs))}
	for i, x := range hs {
		out.Items[i] = holidayJSON{Date: x.Date, Kind: x.Kind, NameID: x.NameID, NameEN: x.NameEN, Source: x.Source}
	}
	c.JSON(http.StatusOK, out)
}

func (h *HolidayAPI) versions(c *gin.Context) {
	limit, _, err := pagination(c, 100, 1000)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	vs, err := h.svc.CalendarHistory(c.Request.Context(), limit)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	if vs == nil {
		vs = []store.CalendarVersion{}
	}
	c.JSON(http.StatusOK, gin.H{"items": vs})
}

func (h *HolidayAPI) add(c *gin.Context) {
	var b holidayBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	res, err := h.svc.AddHoliday(c.Request.Context(), principal(c), b.holiday(), clocks.Change{Reason: b.Reason, Source: b.Source})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusCreated, res)
}

func pathDate(c *gin.Context) (workcal.Date, error) {
	d, err := workcal.ParseDate(c.Param("date"))
	if err != nil {
		return d, domain.Invalidf("date", "%q is not a YYYY-MM-DD date", c.Param("date"))
	}
	return d, nil
}

func (h *HolidayAPI) update(c *gin.Context) {
	d, err := pathDate(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	var b holidayBody
	if err := bindJSON(c, &b); err != nil {
		Abort(c, h.log, err)
		return
	}
	if b.Date != nil && *b.Date != d {
		Abort(c, h.log, domain.Invalidf("date", "body date %s differs from the URL's %s; remove and add to move a holiday", b.Date, d))
		return
	}
	b.Date = &d
	res, err := h.svc.UpdateHoliday(c.Request.Context(), principal(c), b.holiday(), clocks.Change{Reason: b.Reason, Source: b.Source})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// remove takes reason and source from the query string, or from a JSON body
// {"reason","source"} when the client sends one.
func (h *HolidayAPI) remove(c *gin.Context) {
	d, err := pathDate(c)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	ch := clocks.Change{Reason: c.Query("reason"), Source: c.Query("source")}
	if c.Request.ContentLength != 0 && ch.Reason == "" && ch.Source == "" {
		if err := bindJSON(c, &ch); err != nil {
			Abort(c, h.log, err)
			return
		}
	}
	res, err := h.svc.RemoveHoliday(c.Request.Context(), principal(c), d, ch)
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// importCSV reads a holidays-id.csv body; reason and source are query
// parameters.
func (h *HolidayAPI) importCSV(c *gin.Context) {
	res, err := h.svc.ImportHolidays(c.Request.Context(), principal(c), c.Request.Body,
		clocks.Change{Reason: c.Query("reason"), Source: c.Query("source")})
	if err != nil {
		Abort(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
