package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
)

// Format is a GeoReport response format, named by the resource's extension.
type Format string

const (
	XML  Format = "xml"
	JSON Format = "json"
)

// ParseFormat reads an extension ("json" or "xml").
func ParseFormat(ext string) (Format, bool) {
	switch Format(ext) {
	case XML, JSON:
		return Format(ext), true
	}
	return "", false
}

// ContentType is the format's media type (GeoReport v2: UTF-8 everywhere).
func (f Format) ContentType() string {
	if f == XML {
		return "text/xml; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// ServiceEntry is one service (a report category) of GET services.
type ServiceEntry struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

// Attribute is a service definition attribute. Tanggap's services have
// none (metadata false), so lists of them are always empty.
type Attribute struct {
	Variable            bool   `json:"variable" xml:"variable"`
	Code                string `json:"code" xml:"code"`
	Datatype            string `json:"datatype" xml:"datatype"`
	Required            bool   `json:"required" xml:"required"`
	DatatypeDescription string `json:"datatype_description" xml:"datatype_description"`
	Order               int    `json:"order" xml:"order"`
	Description         string `json:"description" xml:"description"`
}

// Definition is GET service definition: a service code and its attributes.
type Definition struct {
	ServiceCode string      `json:"service_code"`
	Attributes  []Attribute `json:"attributes"`
}

// Request is one service request of GET requests. Times are W3C/ISO 8601
// with the agency's offset; a missing time is null in JSON and an empty
// element in XML. Location and media fields are left out: complaints carry
// no point or address that may be published.
type Request struct {
	ServiceRequestID  string  `json:"service_request_id"`
	Status            string  `json:"status"`
	StatusNotes       string  `json:"status_notes"`
	ServiceName       string  `json:"service_name"`
	ServiceCode       string  `json:"service_code"`
	Description       string  `json:"description"`
	AgencyResponsible string  `json:"agency_responsible"`
	ServiceNotice     string  `json:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime"`
	UpdatedDatetime   *string `json:"updated_datetime"`
	ExpectedDatetime  *string `json:"expected_datetime"`
}

// Error is one entry of the GeoReport error list.
type Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type xmlServices struct {
	XMLName  xml.Name       `xml:"services"`
	Services []ServiceEntry `xml:"service"`
}

type xmlAttributes struct {
	Attributes []Attribute `xml:"attribute"`
}

type xmlDefinition struct {
	XMLName     xml.Name      `xml:"service_definition"`
	ServiceCode string        `xml:"service_code"`
	Attributes  xmlAttributes `xml:"attributes"`
}

type xmlRequest struct {
	ServiceRequestID  string `xml:"service_request_id"`
	Status            string `xml:"status"`
	StatusNotes       string `xml:"status_notes"`
	ServiceName       string `xml:"service_name"`
	ServiceCode       string `xml:"service_code"`
	Description       string `xml:"description"`
	AgencyResponsible string `xml:"agency_responsible"`
	ServiceNotice     string `xml:"service_notice"`
	RequestedDatetime string `xml:"requested_datetime"`
	UpdatedDatetime   string `xml:"updated_datetime"`
	ExpectedDatetime  string `xml:"expected_datetime"`
}

type xmlRequests struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []xmlRequest `xml:"request"`
}

type xmlErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error  `xml:"error"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Encode renders a response body: []ServiceEntry, Definition, []Request or
// []Error, as a JSON array/object or an XML document with its declaration.
func Encode(f Format, v any) ([]byte, error) {
	if f == JSON {
		switch x := v.(type) {
		case []ServiceEntry:
			v = nonNil(x)
		case []Request:
			v = nonNil(x)
		case Definition:
			x.Attributes = nonNil(x.Attributes)
			v = x
		}
		return json.Marshal(v)
	}
	var doc any
	switch x := v.(type) {
	case []ServiceEntry:
		doc = xmlServices{Services: x}
	case Definition:
		doc = xmlDefinition{ServiceCode: x.ServiceCode, Attributes: xmlAttributes{Attributes: x.Attributes}}
	case []Request:
		rs := xmlRequests{Requests: make([]xmlRequest, len(x))}
		for i, r := range x {
			rs.Requests[i] = xmlRequest{ServiceRequestID: r.ServiceRequestID, Status: r.Status, StatusNotes: r.StatusNotes,
				ServiceName: r.ServiceName, ServiceCode: r.ServiceCode, Description: r.Description,
				AgencyResponsible: r.AgencyResponsible, ServiceNotice: r.ServiceNotice, RequestedDatetime: r.RequestedDatetime,
				UpdatedDatetime: deref(r.UpdatedDatetime), ExpectedDatetime: deref(r.ExpectedDatetime)}
		}
		doc = rs
	case []Error:
		doc = xmlErrors{Errors: x}
	default:
		return nil, fmt.Errorf("open311: cannot encode %T", v)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
