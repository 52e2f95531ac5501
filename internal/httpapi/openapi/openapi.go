// Package openapi serves the OpenAPI 3 document of Tanggap's /api/v1: the
// hand-written openapi.yaml (the contract, checked against the real router
// and real responses by the httpapi tests), its JSON form and a
// server-rendered reference page.
package openapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// BasePath is where the document's server (and so every path in it) lives.
const BasePath = "/api/v1"

//go:embed openapi.yaml
var specYAML []byte

//go:embed docs.css
var docsCSS []byte

// Spec is the parsed and validated document with its served forms, built
// once: the document is embedded, so it never changes while running.
type Spec struct {
	doc  *openapi3.T
	json []byte
	page []byte
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load parses and validates the embedded document and renders its JSON and
// HTML forms. The result is shared: callers must not modify Doc().
func Load() (*Spec, error) {
	loadOnce.Do(func() { loaded, loadErr = load() })
	return loaded, loadErr
}

func load() (*Spec, error) {
	doc, err := Parse(specYAML)
	if err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: to JSON: %w", err)
	}
	page, err := renderPage(doc)
	if err != nil {
		return nil, err
	}
	return &Spec{doc: doc, json: js, page: page}, nil
}

// Parse reads and validates an OpenAPI 3 document.
func Parse(yamlOrJSON []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(yamlOrJSON)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: invalid document: %w", err)
	}
	return doc, nil
}

// Doc is the parsed document (shared; read only).
func (s *Spec) Doc() *openapi3.T { return s.doc }

// YAML is the document as written.
func (s *Spec) YAML() []byte { return specYAML }

// JSON is the document as JSON.
func (s *Spec) JSON() []byte { return s.json }

// Register adds the document's routes to the /api/v1 group. They are
// documented in the document itself (tag Reference).
func (s *Spec) Register(rg *gin.RouterGroup) {
	serve := func(contentType string, body []byte) gin.HandlerFunc {
		h := fnv.New64a()
		_, _ = h.Write(body)
		etag := fmt.Sprintf(`"%x"`, h.Sum64())
		return func(c *gin.Context) {
			c.Header("Cache-Control", "public, max-age=300")
			c.Header("ETag", etag)
			if strings.Contains(c.GetHeader("If-None-Match"), etag) {
				c.Status(http.StatusNotModified)
				return
			}
			c.Data(http.StatusOK, contentType, body)
		}
	}
	rg.GET("/openapi.json", serve("application/json; charset=utf-8", s.json))
	rg.GET("/openapi.yaml", serve("application/yaml; charset=utf-8", specYAML))
	rg.GET("/docs", serve("text/html; charset=utf-8", s.page))
	rg.GET("/docs.css", serve("text/css; charset=utf-8", docsCSS))
}

// Register loads the document and adds its routes to the /api/v1 group.
func Register(rg *gin.RouterGroup) error {
	s, err := Load()
	if err != nil {
		return err
	}
	s.Register(rg)
	return nil
}
