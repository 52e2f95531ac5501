package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tanggap-id/tanggap/internal/opendata"
)

// OpenDataCatalog is what the open-data page needs: the datasets with
// their licences and dictionaries.
type OpenDataCatalog interface {
	Datasets() []opendata.Dataset
}

// WithOpenData enables the open-data page (/data).
func (s *Site) WithOpenData(c OpenDataCatalog) *Site {
	s.openData = c
	return s
}

func (s *Site) registerOpenData(r *gin.Engine) {
	if s.openData != nil {
		r.GET("/data", s.public(s.dataPage))
	}
}

type dataDownload struct {
	Format, URL string
}

type dataset struct {
	opendata.Dataset
	Dictionary string
	Downloads  []dataDownload
}

type dataPageData struct {
	Datasets []dataset
	Open311  []dataDownload
}

func (s *Site) dataPage(c *gin.Context) {
	var d dataPageData
	for _, ds := range s.openData.Datasets() {
		v := dataset{Dataset: ds, Dictionary: opendata.DictionaryPath(ds.Name)}
		for _, f := range ds.Formats {
			v.Downloads = append(v.Downloads, dataDownload{Format: string(f), URL: opendata.DownloadPath(ds.Name, f)})
		}
		d.Datasets = append(d.Datasets, v)
	}
	for _, p := range []string{"services.json", "services.xml", "requests.json", "requests.xml"} {
		d.Open311 = append(d.Open311, dataDownload{Format: p, URL: "/open311/v2/" + p})
	}
	s.engine.Render(c, http.StatusOK, "data", "data.title", d)
}
