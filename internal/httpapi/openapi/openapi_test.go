package openapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

func TestLoadServesOneDocumentInTwoForms(t *testing.T) {
	s, err := Load()
	require.NoError(t, err)
	fromJSON, err := Parse(s.JSON())
	require.NoError(t, err, "the JSON form is itself a valid document")
	require.Equal(t, s.Doc().Paths.Len(), fromJSON.Paths.Len())
	require.Len(t, fromJSON.Components.Schemas, len(s.Doc().Components.Schemas))
	for _, name := range []string{"Error", "Agency", "Complaint", "Clock", "Metrics", "Rate", "ImportJob", "Holiday",
		"StoredPolicy", "Leaderboard", "Simulation", "Recommendation", "Ranking", "IndexResult", "Assessment",
		"CommitmentDetail", "JobList", "User", "APIToken", "AuditEntry"} {
		require.Contains(t, fromJSON.Components.Schemas, name)
	}
	for path, item := range s.Doc().Paths.Map() {
		for method, op := range item.Operations() {
			require.NotEmpty(t, op.OperationID, "%s %s", method, path)
			require.NotEmpty(t, op.Summary, "%s %s", method, path)
			require.NotEmpty(t, op.Tags, "%s %s", method, path)
			for status, r := range op.Responses.Map() {
				if status[0] != '4' {
					continue
				}
				js := r.Value.Content.Get("application/json")
				require.NotNil(t, js, "%s %s %s: errors are JSON", method, path, status)
				require.Equal(t, "#/components/schemas/Error", js.Schema.Ref, "%s %s %s: one error shape", method, path, status)
			}
		}
	}
}

func TestRoutesAndPage(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	require.NoError(t, Register(r.Group(BasePath)))
	s, err := Load()
	require.NoError(t, err)
	cases := []struct {
		path, contentType string
		contains          string
	}{
		{"/api/v1/openapi.json", "application/json; charset=utf-8", `"openapi": "3.0.3"`},
		{"/api/v1/openapi.yaml", "application/yaml; charset=utf-8", "openapi: 3.0.3"},
		{"/api/v1/docs", "text/html; charset=utf-8", `<link rel="stylesheet" href="/api/v1/docs.css">`},
		{"/api/v1/docs.css", "text/css; charset=utf-8", ".method.GET"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.path, nil))
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, c.contentType, w.Header().Get("Content-Type"))
			require.Contains(t, w.Body.String(), c.contains)
		})
	}
	t.Run("the page shows every operation and schema", func(t *testing.T) {
		page := string(s.page)
		for path, item := range s.Doc().Paths.Map() {
			for method, op := range item.Operations() {
				require.Contains(t, page, `id="op-`+anchor(op.OperationID)+`"`, "%s %s", method, path)
				require.Contains(t, page, `<span class="method `+method+`">`+method+`</span> <span class="path">`+
					BasePath+escapedPath(path)+`</span>`)
			}
		}
		for name := range s.Doc().Components.Schemas {
			require.Contains(t, page, `id="schema-`+anchor(name)+`"`)
		}
		require.NotContains(t, page, "<script")
		require.NotContains(t, page, "style=")
	})
}

// escapedPath is how html/template escapes a path in text.
func escapedPath(p string) string { return strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(p) }

func TestMarkdown(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "  ", ""},
		{"paragraphs", "one\nline\n\ntwo", "<p>one line</p><p>two</p>"},
		{"code and strong", "send `Authorization: Bearer <token>` **always**",
			"<p>send <code>Authorization: Bearer &lt;token&gt;</code> <strong>always</strong></p>"},
		{"html is text", `<script>alert("x")</script>`, "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, string(markdown(c.in))) })
	}
}

func TestTypeText(t *testing.T) {
	ref := func(n string) *openapi3.SchemaRef { return openapi3.NewSchemaRef("#/components/schemas/"+n, nil) }
	nullableAgency := openapi3.NewSchema()
	nullableAgency.AllOf = openapi3.SchemaRefs{ref("Agency")}
	nullableAgency.Nullable = true
	cases := []struct {
		name string
		in   *openapi3.SchemaRef
		want string
	}{
		{"named", ref("Agency"), `<a href="#schema-Agency">Agency</a>`},
		{"array of an unresolved schema", openapi3.NewArraySchema().WithItems(ref("Clock").Value).NewRef(), "array of any"},
		{"array of named", &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: ref("Clock")}},
			`array of <a href="#schema-Clock">Clock</a>`},
		{"nullable named", openapi3.NewSchemaRef("", nullableAgency), `<a href="#schema-Agency">Agency</a> or null`},
		{"enum", openapi3.NewStringSchema().WithEnum("open", "met").NewRef(), "string: open, met"},
		{"format", openapi3.NewDateTimeSchema().NewRef(), "string (date-time)"},
		{"map", openapi3.NewObjectSchema().WithAdditionalProperties(openapi3.NewIntegerSchema()).NewRef(), "map of integer"},
		{"nothing", nil, "any"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, string(typeHTML(c.in))) })
	}
}
