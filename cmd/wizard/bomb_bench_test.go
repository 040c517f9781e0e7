package main

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/flow"
	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
)

// BenchmarkImportCellBomb: a workbook of under a megabyte whose one inline
// cell unzips to 500 MB and one shared string to 150 MB is read with those
// rows skipped as too long and every other row imported [peak RSS
// ≤ 150 MB]. Run it in a process of its own (scripts/bench.sh does).
func BenchmarkImportCellBomb(b *testing.B) {
	const rows = 1000
	path := filepath.Join(b.TempDir(), "bomb.xlsx")
	err := writeBombBook(path, rows, func(i int) (string, int) {
		if i == 10 {
			return "", 500 << 20
		}
		return fmt.Sprintf("用户%d", i), 0
	}, 150<<20)
	if err != nil {
		b.Fatal(err)
	}
	st := importBomb(b, path)
	if st.Rows != rows || st.WithOpenID != rows-2 || st.Problem(sdkimport.ReasonTooLong) != 2 {
		b.Errorf("%d rows, %d imported, %d too long; want %d, %d, 2", st.Rows, st.WithOpenID, st.Problem(sdkimport.ReasonTooLong), rows, rows-2)
	}
}

// BenchmarkImportSheetBomb: a workbook whose one sheet unzips to about
// 560 MB (2,000,000 rows, ids in the shared strings, a long note inline)
// is imported whole [peak RSS ≤ 150 MB].
func BenchmarkImportSheetBomb(b *testing.B) {
	const rows = 2_000_000
	note := strings.Repeat("备注", 33)
	path := filepath.Join(b.TempDir(), "sheet.xlsx")
	if err := writeBombBook(path, rows, func(int) (string, int) { return note, 0 }, 0); err != nil {
		b.Fatal(err)
	}
	st := importBomb(b, path)
	if st.Rows != rows || st.WithOpenID != rows || st.WithUnionID != rows {
		b.Errorf("%d rows, %d imported, %d with unionid; want all %d", st.Rows, st.WithOpenID, st.WithUnionID, rows)
	}
}

// importBomb imports path once and holds the peak RSS to the goal.
func importBomb(b *testing.B, path string) sdkimport.Stats {
	ctx := context.Background()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "wizard.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w, err := flow.NewWizard(ctx, db, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	in, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	b.ResetTimer()
	start := time.Now()
	st, err := w.ImportSDK(ctx, in, filepath.Base(path), fi.Size(), sdkimport.Options{})
	secs := time.Since(start).Seconds()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	rss := peakRSSMB()
	b.ReportMetric(rss, "peak-rss-MB")
	b.Logf("%d MB workbook read in %.1f s: %d rows, %d imported; peak RSS %.0f MB (goal ≤ %d MB)",
		fi.Size()>>20, secs, st.Rows, st.WithOpenID, rss, goalPeakRSSMB)
	if rss > goalPeakRSSMB {
		b.Errorf("peak RSS %.0f MB, goal ≤ %d MB", rss, goalPeakRSSMB)
	}
	return st
}

// writeBombBook streams an .xlsx of rows users to path: column A from nick
// (an inline text, or that many bytes of padding), openid and unionid as
// shared strings; with sstPad > 0, row 20's
// unionid is one shared string of sstPad bytes. Nothing large is held in
// memory while writing.
func writeBombBook(path string, rows int, nick func(int) (string, int), sstPad int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	part := func(name string, write func(*bufio.Writer) error) error {
		pw, err := zw.Create(name)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(pw, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	parts := []struct {
		name  string
		write func(*bufio.Writer) error
	}{
		{"[Content_Types].xml", text(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)},
		{"xl/workbook.xml", text(`<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="用户" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)},
		{"xl/sharedStrings.xml", func(w *bufio.Writer) error {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">`, ns, 2*rows+3, 2*rows+3)
			fmt.Fprint(w, `<si><t>昵称</t></si><si><t>openid</t></si><si><t>unionid（开放平台）</t></si>`)
			for i := 0; i < rows; i++ {
				fmt.Fprintf(w, "<si><t>o%027d</t></si><si><t>", i)
				if i == 20 && sstPad > 0 {
					if err := pad(w, sstPad); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(w, "u%027d", i)
				}
				w.WriteString("</t></si>")
			}
			_, err := w.WriteString("</sst>")
			return err
		}},
		{"xl/worksheets/sheet1.xml", func(w *bufio.Writer) error {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>`, ns)
			w.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`)
			for i := 0; i < rows; i++ {
				r := i + 2
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>`, r, r)
				if n, size := nick(i); size > 0 {
					if err := pad(w, size); err != nil {
						return err
					}
				} else {
					w.WriteString(n)
				}
				if _, err := fmt.Fprintf(w, `</t></is></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c></row>`, r, 3+2*i, r, 4+2*i); err != nil {
					return err
				}
			}
			_, err := w.WriteString("</sheetData></worksheet>")
			return err
		}},
	}
	for _, p := range parts {
		if err := part(p.name, p.write); err != nil {
			return err
		}
	}
	return zw.Close()
}

func text(s string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { _, err := w.WriteString(s); return err }
}

// pad writes n bytes of 'a' a megabyte at a time.
func pad(w io.Writer, n int) error {
	chunk := []byte(strings.Repeat("a", 1<<20))
	for ; n > 0; n -= len(chunk) {
		if _, err := w.Write(chunk[:min(n, len(chunk))]); err != nil {
			return err
		}
	}
	return nil
}
