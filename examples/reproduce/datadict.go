package main

import (
	"fmt"
	"io"
	"strings"
)

// fileDoc describes one output file for the data dictionary.
type fileDoc struct {
	name    string   // file name, or a pattern such as figure3.png … figure12.png
	written string   // the sections that write it
	desc    string   // what it holds
	cols    []column // its columns (CSV) or record fields (JSON); nil for others
	json    string   // for JSON: the layout around the records
}

// dataFiles returns the description of every file the program writes.
func dataFiles(e *Env) []fileDoc {
	runs := runsFile(e.RunsCSV)
	if runs == "" {
		runs = "runs.csv.gz"
	}
	return []fileDoc{
		{name: "REPORT.md", written: "always", desc: "the report: verdicts, tables beside the paper's values, figures, caveats"},
		{name: "DATA.md", written: "always", desc: "this data dictionary"},
		{name: "manifest.json", written: "always, last",
			desc: "the run's status (\"incomplete\" until every other file is written, then \"complete\"), program version, flags, seed, shard and every output with its size and SHA-256",
			json: "an object {\"status\": string, \"program\": string, \"version\": string, \"flags\": {name: value}, \"seed\": int, \"shard\": {\"index\", \"count\"} (only in a shard), \"merged_from\": [folders] (only after -merge), \"files\": [{\"name\", \"size\", \"sha256\"}], \"previous_files\": [names] (absent when empty)}"},
		{name: "cells.bin", written: "-shard only (instead of every other file)",
			desc: "the shard's finished cells in the program's own binary format, for -merge; not meant to be read otherwise"},
		{name: "summary.json", written: "always",
			desc: "the settings and every record of cells.csv, tables.csv and verdicts.csv",
			json: "an object {\"runs\": int, \"iters\": int, \"seed\": int, \"cells\": [records of cells.csv], " +
				"\"tables\": [records of tables.csv], \"verdicts\": [records of verdicts.csv]}"},
		{name: "cells.csv", written: "section2, section4, section5",
			desc: "one row per experiment cell (model, batch size, minimizer, start radius, learning rate) with the statistics of its runs", cols: cellColumns.doc()},
		{name: "verdicts.csv", written: "section2, section4, section5",
			desc: "the answers to the paper's three questions, with the cells where a prediction did not hold", cols: verdictColumns.doc()},
		{name: "tables.csv, tables.json", written: "tables",
			desc: "the thresholds of Tables 2–5 and of the ε-sensitivity table, ours beside the paper's; tables.json is an array of the same records",
			cols: tableColumns.doc()},
		{name: "comparison.csv, comparison.json", written: "beyond",
			desc: "every threshold side by side for five minimizers and k ∈ {1, 4, 16, 64, ∞}; comparison.json is an array of the same records",
			cols: comparisonColumns.doc()},
		{name: "models.csv, models.json", written: "models",
			desc: "every prediction, the noise floor in loss units, the escape threshold measured in the loss and a verdict for three learned minimizers and k ∈ {1, 4, 16, 64, ∞}; models.json is an array of the same records",
			cols: modelsColumns.doc()},
		{name: runs, written: "section2, section4, section5 (not with -runs-csv none)",
			desc: "long format: one line per run and iterate of every cell of cells.csv (runs.csv.gz by default, gzip-compressed; -runs-csv plain writes runs.csv)",
			cols: runsColumns},
		{name: "figure3.png … figure12.png", written: "section2 (3), section4 (4–8), section5 (9–12)", desc: "the paper's Figures 3–12 on our models"},
		{name: "beyond_*.png", written: "beyond", desc: "phase diagrams: escape fraction over (C, k) with every threshold"},
		{name: "models_*.png", written: "models", desc: "phase diagrams of the learned models: escape fraction (loss criterion) over (C, k) with every threshold"},
	}
}

// dataDictionary returns DATA.md.
func dataDictionary(e *Env) string {
	var b strings.Builder
	b.WriteString("# Data dictionary\n\n")
	b.WriteString("Every file the reproduction writes into its output folder, and the columns of each table.\n\n")
	b.WriteString("## Conventions\n\n")
	b.WriteString("- **Missing or not finite.** A number that is not finite or does not apply is an empty field in CSV " +
		"and `null` in JSON. pandas reads an empty field as NaN by default; R's `read.csv` reads it as `NA`.\n")
	b.WriteString("- **Gradient descent.** The batch size of gradient descent (k = ∞) is the string `inf` in CSV and " +
		"`\"inf\"` in JSON; every other batch size is a number. In pandas, `df[\"batch\"].astype(float)` maps it to " +
		"`inf`; in R, `as.numeric(df$batch)` maps it to `Inf`.\n")
	b.WriteString("- **Fractions** of runs are numbers from 0 to 1 (not percentages), here and in REPORT.md.\n")
	b.WriteString("- **Learning rates** are the constant step C of x_{N+1} = x_N − C·(mean gradient of the batch); " +
		"distances are Euclidean in the problem's coordinates; iterations count steps from 0 (the start).\n")
	fmt.Fprintf(&b, "- **Compressed runs.** The per-iterate distances are written gzip-compressed (about a tenth of the "+
		"80 MB of plain text at the default settings): `pandas.read_csv(\"runs.csv.gz\")` and R's "+
		"`read.csv(gzfile(\"runs.csv.gz\"))` or `data.table::fread` read them directly. -runs-csv plain writes runs.csv, "+
		"-runs-csv none skips the file.\n")
	b.WriteString("- **Example (pandas).** `cells = pd.read_csv(\"cells.csv\"); cells[\"batch\"] = cells[\"batch\"].astype(float)`.\n")
	b.WriteString("- **Example (R).** `cells <- read.csv(\"cells.csv\"); cells$batch <- as.numeric(cells$batch)`.\n\n")
	b.WriteString("## Files\n\n")
	for _, f := range dataFiles(e) {
		fmt.Fprintf(&b, "### %s\n\nWritten by: %s. %s.\n\n", f.name, f.written, capitalize(f.desc))
		if f.json != "" {
			fmt.Fprintf(&b, "Layout: %s.\n\n", f.json)
		}
		if len(f.cols) == 0 {
			continue
		}
		var rows [][]string
		for _, c := range f.cols {
			unit := c.Unit
			if unit == "" {
				unit = "—"
			}
			rows = append(rows, []string{"`" + c.Name + "`", unit, c.Desc})
		}
		b.WriteString(mdTable([]string{"column", "unit", "meaning"}, rows))
		b.WriteString("\n")
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// writeDataDictionary writes DATA.md into the output folder.
func (e *Env) writeDataDictionary() error {
	return e.Write("DATA.md", func(w io.Writer) error {
		_, err := io.WriteString(w, dataDictionary(e))
		return err
	})
}
