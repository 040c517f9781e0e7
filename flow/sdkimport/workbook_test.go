package sdkimport

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// handBook is a workbook written part by part, as other programs than
// Excel write them: cells skipped, inline strings, phonetic runs, formula
// results, a sheet hidden by its state.
func handBook(t *testing.T, sheets map[string]string, order []string, states map[string]string, sst string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	var wb, rels strings.Builder
	wb.WriteString(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, name := range order {
		state := ""
		if s := states[name]; s != "" {
			state = ` state="` + s + `"`
		}
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s%d.xml"/>`, i+1, i+1)
		put(fmt.Sprintf("xl/worksheets/s%d.xml", i+1), `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+sheets[name]+`</sheetData></worksheet>`)
	}
	rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`)
	wb.WriteString(`</sheets></workbook>`)
	put("xl/workbook.xml", wb.String())
	put("xl/_rels/workbook.xml.rels", rels.String())
	put("xl/strings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+sst+`</sst>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWorkbookAsOtherProgramsWriteIt(t *testing.T) {
	sst := `<si><r><t>open</t></r><r><t>id</t></r><rPh><t>オープン</t></rPh></si><si><t>` + id("o", 1) + `</t></si>`
	users := `<row r="1"><c r="A1" t="inlineStr"><is><t>昵称</t></is></c><c r="C1" t="s"><v>0</v></c><c r="D1" t="str"><v>UnionID（开放平台）</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>甲</t></is></c><c r="C3" t="s"><v>1</v></c><c r="D3" t="str"><f>"` + id("u", 1) + `"</f><v>` + id("u", 1) + `</v></c></row>` +
		`<row r="4"><c r="C4" t="inlineStr"><is><t>` + id("o", 2) + `</t></is></c><c r="D4" t="inlineStr"><is><t>null</t></is></c></row>` +
		`<row><c t="inlineStr"><is><t>丙</t></is></c><c/><c t="inlineStr"><is><t>` + id("o", 3) + `</t></is></c></row>`
	stale := `<row r="1"><c r="A1" t="inlineStr"><is><t>openid</t></is></c></row>`
	for i := 0; i < 50; i++ {
		stale += fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>`, i+2, i+2, id("o", 100+i))
	}
	data := handBook(t, map[string]string{"旧": stale, "用户": users, "备份": stale}, []string{"旧", "用户", "备份"},
		map[string]string{"旧": "hidden", "备份": "veryHidden"}, sst)
	st, us, err := scan(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sheet != "用户" || st.Rows != 3 || st.WithOpenID != 3 || st.WithUnionID != 1 || len(us) != 3 || us[0].UnionID != id("u", 1) {
		t.Fatalf("sheet %q: %+v %+v", st.Sheet, st, us)
	}
	if p := problemOf(st, ReasonPlaceholderUnionID); fmt.Sprint(p.Lines) != "[4]" {
		t.Fatalf("the null unionid is not reported at line 4: %+v", st.Problems)
	}
	// Row 5 carries no number: it follows row 4.
	if st.Samples[2].OpenID != Mask(id("o", 3)) {
		t.Fatalf("samples %+v", st.Samples)
	}
}

// A sheet whose one inline cell is longer than the cap, even cut before
// decoding (and in the middle of an entity), is that row skipped, the rest
// read.
func TestWorkbookInlineCellOverTheCap(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="inlineStr"><is><t>openid</t></is></c><c r="B1" t="inlineStr"><is><t>note</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>` + id("o", 1) + `</t></is></c><c r="B2" t="inlineStr"><is><t>` + strings.Repeat("&amp;", 2*maxRecord) + `</t></is></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>` + id("o", 2) + `</t></is></c></row>`
	st, _, err := scan(t, handBook(t, map[string]string{"S": rows}, []string{"S"}, nil, ""), Options{})
	if err != nil || st.Rows != 2 || st.WithOpenID != 1 || fmt.Sprint(problemOf(st, ReasonTooLong).Lines) != "[2]" {
		t.Fatalf("%+v %v", st, err)
	}
}
