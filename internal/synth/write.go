package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tanggap-id/tanggap/internal/domain"
)

// ComplaintsHeader and EventsHeader are the CSV headers WriteCSV writes: the
// design §5 columns plus source and source_updated_at.
var (
	ComplaintsHeader = []string{"tracking_id", "report_type", "category", "channel", "submitted_at", "agency_code",
		"anonymous", "confidential", "title", "summary", "reporter_name", "reporter_contact", "region_code",
		"source", "source_updated_at"}
	EventsHeader = []string{"tracking_id", "event_id", "kind", "at", "agency_code", "to_agency_code", "public_text", "source"}
)

// timeText writes RFC 3339 with the agency's offset, so a reader needs no
// zone lookup to get the instant back.
func timeText(t time.Time) string { return t.Format(time.RFC3339) }

// WriteCSV writes the complaints and their events as two CSV files in the
// format package parse reads.
func WriteCSV(complaintsW, eventsW io.Writer, g *Generator) error {
	cw, ew := csv.NewWriter(complaintsW), csv.NewWriter(eventsW)
	if err := cw.Write(ComplaintsHeader); err != nil {
		return fmt.Errorf("synth: write CSV: %w", err)
	}
	if err := ew.Write(EventsHeader); err != nil {
		return fmt.Errorf("synth: write CSV: %w", err)
	}
	crow := make([]string, len(ComplaintsHeader))
	erow := make([]string, len(EventsHeader))
	err := g.Each(func(c domain.Complaint, r domain.Reporter, evs []domain.Event) error {
		upd := ""
		if c.SourceUpdatedAt != nil {
			upd = timeText(*c.SourceUpdatedAt)
		}
		crow = append(crow[:0], c.TrackingID, string(c.ReportType), c.Category, c.Channel, timeText(c.SubmittedAt),
			c.AgencyCode, strconv.FormatBool(c.Anonymous), strconv.FormatBool(c.Confidential), c.Title, c.Summary,
			r.Name, r.Contact, c.RegionCode, c.Source, upd)
		if err := cw.Write(crow); err != nil {
			return err
		}
		for _, e := range evs {
			erow = append(erow[:0], e.TrackingID, e.EventID, string(e.Kind), timeText(e.At), e.AgencyCode, e.ToAgencyCode, e.PublicText, e.Source)
			if err := ew.Write(erow); err != nil {
				return err
			}
		}
		return nil
	})
	cw.Flush()
	ew.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err == nil {
		err = ew.Error()
	}
	if err != nil {
		return fmt.Errorf("synth: write CSV: %w", err)
	}
	return nil
}

// ndjsonComplaint fixes the key order of a line, so output is byte-stable.
type ndjsonComplaint struct {
	Type            string        `json:"type"`
	TrackingID      string        `json:"tracking_id"`
	Source          string        `json:"source"`
	ReportType      string        `json:"report_type"`
	Category        string        `json:"category"`
	Channel         string        `json:"channel"`
	SubmittedAt     string        `json:"submitted_at"`
	AgencyCode      string        `json:"agency_code"`
	RegionCode      string        `json:"region_code,omitempty"`
	Anonymous       bool          `json:"anonymous"`
	Confidential    bool          `json:"confidential"`
	Title           string        `json:"title"`
	Summary         string        `json:"summary"`
	ReporterName    string        `json:"reporter_name"`
	ReporterContact string        `json:"reporter_contact"`
	SourceUpdatedAt string        `json:"source_updated_at,omitempty"`
	Events          []ndjsonEvent `json:"events"`
}

type ndjsonEvent struct {
	EventID      string `json:"event_id"`
	Kind         string `json:"kind"`
	At           string `json:"at"`
	AgencyCode   string `json:"agency_code,omitempty"`
	ToAgencyCode string `json:"to_agency_code,omitempty"`
	PublicText   string `json:"public_text,omitempty"`
}

// WriteNDJSON writes one complaint object a line with its events embedded,
// in the format package parse reads.
func WriteNDJSON(w io.Writer, g *Generator) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	line := ndjsonComplaint{Type: "complaint"}
	err := g.Each(func(c domain.Complaint, r domain.Reporter, evs []domain.Event) error {
		line.TrackingID, line.Source, line.ReportType = c.TrackingID, c.Source, string(c.ReportType)
		line.Category, line.Channel, line.SubmittedAt = c.Category, c.Channel, timeText(c.SubmittedAt)
		line.AgencyCode, line.RegionCode = c.AgencyCode, c.RegionCode
		line.Anonymous, line.Confidential = c.Anonymous, c.Confidential
		line.Title, line.Summary = c.Title, c.Summary
		line.ReporterName, line.ReporterContact = r.Name, r.Contact
		line.SourceUpdatedAt = ""
		if c.SourceUpdatedAt != nil {
			line.SourceUpdatedAt = timeText(*c.SourceUpdatedAt)
		}
		line.Events = line.Events[:0]
		for _, e := range evs {
			line.Events = append(line.Events, ndjsonEvent{EventID: e.EventID, Kind: string(e.Kind), At: timeText(e.At),
				AgencyCode: e.AgencyCode, ToAgencyCode: e.ToAgencyCode, PublicText: e.PublicText})
		}
		return enc.Encode(&line) // Encode ends each object with '\n'
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("synth: write NDJSON: %w", err)
	}
	return nil
}
