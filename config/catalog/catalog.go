// Package catalog embeds the reference data Tanggap ships with: the national
// region catalogue (ODbL, idn-area-data), the holiday calendar with its decrees,
// the SPBE framework files and the published SPBE results. The README files
// beside each data file record its source, licence and certainty.
package catalog

import "embed"

// FS holds every reference file; paths are the bare file names.
//
//go:embed *.csv *.json
var FS embed.FS

// File names of the embedded reference data.
const (
	Regions       = "regions-id.csv"
	Holidays      = "holidays-id.csv"
	SPBEFramework = "spbe-framework-59-2020.json"
	SPBEResults   = "spbe-hasil-evaluasi-2023-2024.csv"
)
