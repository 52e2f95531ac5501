package spbe

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/tanggap-id/tanggap/config/catalog"
)

// Frameworks is a set of parsed frameworks, ordered by effective date.
type Frameworks []*Framework

// ByID returns the framework with that id.
func (fs Frameworks) ByID(id string) (*Framework, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return nil, false
}

// LoadEmbedded parses every built-in framework file (catalog files named
// spbe-framework-*.json), so adding a successor framework is adding a file.
func LoadEmbedded() (Frameworks, error) {
	return LoadFS(catalog.FS, "spbe-framework-*.json")
}

// LoadFS parses the framework files matching pattern in fsys.
func LoadFS(fsys fs.FS, pattern string) (Frameworks, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("spbe: list frameworks: %w", err)
	}
	var out Frameworks
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("spbe: read %s: %w", name, err)
		}
		fw, err := ParseFramework(path.Base(name), data)
		if err != nil {
			return nil, fmt.Errorf("spbe: %w", err)
		}
		if _, dup := out.ByID(fw.ID); dup {
			return nil, fmt.Errorf("spbe: %s: id: %w: framework %q defined twice", name, errInvalid, fw.ID)
		}
		out = append(out, fw)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EffectiveFrom < out[j].EffectiveFrom })
	return out, nil
}
