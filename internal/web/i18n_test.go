package web

import (
	"io/fs"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCataloguesHaveTheSameKeys fails when a message exists in one language
// and not the other.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	for _, a := range Langs {
		for _, b := range Langs {
			for k := range messages[a] {
				_, ok := messages[b][k]
				require.True(t, ok, "key %q is in %s but missing in %s", k, a, b)
				require.NotEmpty(t, messages[b][k], "key %q is empty in %s", k, b)
			}
		}
	}
}

// TestTemplatesUseOnlyKnownKeys checks every literal {{t "key"}} in the
// templates exists in the catalogue.
func TestTemplatesUseOnlyKnownKeys(t *testing.T) {
	re := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	var missing []string
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[LangID][m[1]]; !ok {
				missing = append(missing, path+": "+m[1])
			}
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(missing)
	require.Empty(t, missing)
}

func TestTranslatorShowsMissingKeys(t *testing.T) {
	tr := translator(LangEN)
	require.Equal(t, "Home", tr("nav.home"))
	require.Equal(t, "3 provinces, 7 regencies/cities", tr("home.count", 3, 7))
	require.Equal(t, "[no.such.key]", tr("no.such.key"))
}
