package openapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed docs.html
var docsHTML string

var docsTemplate = template.Must(template.New("docs").Funcs(template.FuncMap{"statusClass": statusClass}).Parse(docsHTML))

// The page's view model: everything the template shows, already ordered.
type pageView struct {
	Title       string
	Version     string
	Base        string
	Description template.HTML
	Tags        []tagView
	Schemas     []schemaView
}

type tagView struct {
	Name        string
	Anchor      string
	Description template.HTML
	Ops         []opView
}

type opView struct {
	Anchor      string
	Method      string
	Path        string
	Summary     string
	Description template.HTML
	Auth        string
	Params      []paramView
	Body        *bodyView
	Responses   []respView
}

type paramView struct {
	Name        string
	In          string
	Required    bool
	Type        template.HTML
	Description template.HTML
}

type bodyView struct {
	ContentType string
	Required    bool
	Type        template.HTML
}

type respView struct {
	Status      string
	Description template.HTML
	ContentType string
	Type        template.HTML
}

type schemaView struct {
	Name        string
	Anchor      string
	Description template.HTML
	Type        template.HTML // for schemas that are not plain objects
	Props       []propView
}

type propView struct {
	Name        string
	Type        template.HTML
	Required    bool
	Description template.HTML
}

// methodOrder is the order operations of one path are listed in.
var methodOrder = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func renderPage(doc *openapi3.T) ([]byte, error) {
	v := pageView{Title: doc.Info.Title, Version: doc.Info.Version, Base: BasePath, Description: markdown(doc.Info.Description)}
	tagIndex := map[string]int{}
	for _, t := range doc.Tags {
		tagIndex[t.Name] = len(v.Tags)
		v.Tags = append(v.Tags, tagView{Name: t.Name, Anchor: "tag-" + anchor(t.Name), Description: markdown(t.Description)})
	}
	paths := doc.Paths.Keys()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, m := range methodOrder {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := tagIndex[tag]
			if !ok {
				i = len(v.Tags)
				tagIndex[tag] = i
				v.Tags = append(v.Tags, tagView{Name: tag, Anchor: "tag-" + anchor(tag)})
			}
			v.Tags[i].Ops = append(v.Tags[i].Ops, operationView(m, path, item, op, doc))
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v.Schemas = append(v.Schemas, schemaViewOf(n, doc.Components.Schemas[n].Value))
	}
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("openapi: render reference page: %w", err)
	}
	return buf.Bytes(), nil
}

func operationView(method, path string, item *openapi3.PathItem, op *openapi3.Operation, doc *openapi3.T) opView {
	ov := opView{Method: method, Path: path, Summary: op.Summary, Description: markdown(op.Description),
		Anchor: "op-" + anchor(op.OperationID)}
	if op.OperationID == "" {
		ov.Anchor = "op-" + anchor(method+path)
	}
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	ov.Auth = authText(security)
	for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
		if p.Value == nil {
			continue
		}
		ov.Params = append(ov.Params, paramView{Name: p.Value.Name, In: p.Value.In, Required: p.Value.Required,
			Type: typeHTML(p.Value.Schema), Description: markdown(p.Value.Description)})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, ct := range sortedKeys(op.RequestBody.Value.Content) {
			ov.Body = &bodyView{ContentType: ct, Required: op.RequestBody.Value.Required,
				Type: typeHTML(op.RequestBody.Value.Content[ct].Schema)}
			break
		}
	}
	codes := op.Responses.Map()
	statuses := make([]string, 0, len(codes))
	for s := range codes {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		r := codes[s].Value
		if r == nil {
			continue
		}
		rv := respView{Status: s}
		if r.Description != nil {
			rv.Description = markdown(*r.Description)
		}
		for _, ct := range sortedKeys(r.Content) {
			rv.ContentType, rv.Type = ct, typeHTML(r.Content[ct].Schema)
			break
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov
}

func authText(reqs openapi3.SecurityRequirements) string {
	if len(reqs) == 0 {
		return "none (public)"
	}
	optional := false
	for _, r := range reqs {
		if len(r) == 0 {
			optional = true
		}
	}
	if optional {
		return "optional bearer token"
	}
	return "bearer token"
}

func schemaViewOf(name string, s *openapi3.Schema) schemaView {
	sv := schemaView{Name: name, Anchor: "schema-" + anchor(name), Description: markdown(s.Description)}
	if !s.Type.Is(openapi3.TypeObject) || len(s.Properties) == 0 {
		sv.Type = typeHTML(openapi3.NewSchemaRef("", s))
		return sv
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for _, p := range sortedProps(s) {
		ps := s.Properties[p]
		pv := propView{Name: p, Type: typeHTML(ps), Required: required[p]}
		if ps.Value != nil {
			pv.Description = markdown(ps.Value.Description)
		}
		sv.Props = append(sv.Props, pv)
	}
	return sv
}

// sortedProps lists required properties first, then the others, each by
// name (the parsed document keeps properties in a map, without order).
func sortedProps(s *openapi3.Schema) []string {
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if required[names[i]] != required[names[j]] {
			return required[names[i]]
		}
		return names[i] < names[j]
	})
	return names
}

// typeHTML names a schema's type in a few words, linking named schemas.
func typeHTML(ref *openapi3.SchemaRef) template.HTML {
	return template.HTML(typeText(ref, 0))
}

func typeText(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil {
		return "any"
	}
	if ref.Ref != "" {
		name := ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
		return `<a href="#schema-` + template.HTMLEscapeString(anchor(name)) + `">` + template.HTMLEscapeString(name) + `</a>`
	}
	s := ref.Value
	if s == nil || depth > 4 {
		return "any"
	}
	var out string
	switch {
	case len(s.AllOf) == 1:
		out = typeText(s.AllOf[0], depth+1)
	case len(s.OneOf) > 0:
		parts := make([]string, len(s.OneOf))
		for i, o := range s.OneOf {
			parts[i] = typeText(o, depth+1)
		}
		out = "one of " + strings.Join(parts, " | ")
	case s.Type.Is(openapi3.TypeArray):
		out = "array of " + typeText(s.Items, depth+1)
	case s.Type.Is(openapi3.TypeObject) && len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil:
		out = "map of " + typeText(s.AdditionalProperties.Schema, depth+1)
	case s.Type.Is(openapi3.TypeObject) && len(s.Properties) > 0:
		names := sortedProps(s)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = template.HTMLEscapeString(n) + ": " + typeText(s.Properties[n], depth+1)
		}
		out = "{" + strings.Join(parts, ", ") + "}"
	case s.Type != nil && len(*s.Type) > 0:
		out = template.HTMLEscapeString(strings.Join(*s.Type, "|"))
		if s.Format != "" {
			out += " (" + template.HTMLEscapeString(s.Format) + ")"
		}
	default:
		out = "any"
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i] = template.HTMLEscapeString(fmt.Sprint(e))
		}
		out += ": " + strings.Join(vals, ", ")
	}
	if s.Nullable {
		out += " or null"
	}
	return out
}

var (
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	strongSpan = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// markdown renders the little Markdown the document uses (paragraphs,
// `code` and **strong**) after escaping everything else, so the result is
// safe HTML.
func markdown(s string) template.HTML {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		p := template.HTMLEscapeString(strings.Join(strings.Fields(para), " "))
		p = codeSpan.ReplaceAllString(p, "<code>$1</code>")
		p = strongSpan.ReplaceAllString(p, "<strong>$1</strong>")
		b.WriteString("<p>" + p + "</p>")
	}
	return template.HTML(b.String())
}

var nonAnchor = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func anchor(s string) string { return strings.Trim(nonAnchor.ReplaceAllString(s, "-"), "-") }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// statusClass colours a response status in the page.
func statusClass(s string) string {
	n, _ := strconv.Atoi(s)
	switch {
	case n >= 200 && n < 400:
		return "ok"
	case n >= 400:
		return "err"
	}
	return ""
}
