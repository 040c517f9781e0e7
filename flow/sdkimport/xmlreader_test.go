package sdkimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The sheet reader takes the XML forms writers other than Excel use:
// prefixed element names, entities by name and number, CDATA, comments,
// processing instructions and empty elements.
func TestWorkbookXMLForms(t *testing.T) {
	rows := `<?xml-stylesheet href="x"?><!-- exported --><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>open&#x69;d</x:t></x:is></x:c>` +
		`<x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[unionid]]></x:t></x:is></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>a &amp; b</x:t></x:is></x:c></x:row>` +
		`<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>` + id("o", 1) + `</x:t></x:is></x:c><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c r="C2"/></x:row>` +
		`<x:row r="3"><x:c r="A3" t="s"><x:v>1</x:v></x:c><x:c r="B3" t='inlineStr'><x:is><x:t>&#110;ull</x:t></x:is></x:c></x:row>`
	sst := `<si><t>` + id("u", 1) + `</t></si><si><r><t>` + id("o", 2)[:10] + `</t></r><r><t xml:space="preserve">` + id("o", 2)[10:] + `</t></r></si>`
	st, us, err := scan(t, handBook(t, map[string]string{"S": rows}, []string{"S"}, nil, sst), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(st.Header) != "[openid unionid a & b]" || st.Rows != 2 || len(us) != 2 ||
		us[0] != (User{id("o", 1), id("u", 1)}) || us[1] != (User{OpenID: id("o", 2)}) ||
		fmt.Sprint(problemOf(st, ReasonPlaceholderUnionID).Lines) != "[3]" {
		t.Fatalf("header %q, %+v, users %+v", st.Header, st, us)
	}
}

// Reading a sheet makes no garbage per cell: what a row allocates is the
// user it keeps, whatever the cells beside it. encoding/xml made a string
// of every name, attribute and text, a dozen objects a row, and the heap
// grew with the sheet.
func TestWorkbookAllocatesNothingPerCell(t *testing.T) {
	const n = 20_000
	var rows, sst strings.Builder
	rows.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>昵称</t></is></c><c r="B1" t="inlineStr"><is><t>openid</t></is></c><c r="C1" t="inlineStr"><is><t>unionid</t></is></c><c r="D1" t="inlineStr"><is><t>note</t></is></c></row>`)
	for i := range n {
		r := i + 2
		fmt.Fprintf(&rows, `<row r="%d" spans="1:4"><c r="A%d" s="1" t="inlineStr"><is><t>用户 %d &amp; co</t></is></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c><c r="D%d"><v>%d.5</v></c></row>`,
			r, r, i, r, 2*i, r, 2*i+1, r, i)
		fmt.Fprintf(&sst, `<si><t>%s</t></si><si><t>%s</t></si>`, id("o", i), id("u", i))
	}
	data := handBook(t, map[string]string{"S": rows.String()}, []string{"S"}, nil, sst.String())
	var st Stats
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		st, err = Scan(context.Background(), bytes.NewReader(data), "x.xlsx", Options{Batch: n}, func([]User) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
	})
	if st.WithUnionID != n {
		t.Fatalf("%+v", st)
	}
	// Two strings a user kept, and what the zip and the buffers need once.
	if perRow := allocs / n; perRow > 2.5 {
		t.Fatalf("%.0f allocations for %d rows: %.1f a row, want at most 2.5", allocs, n, perRow)
	}
}

// Shared strings are found by their lengths, two bytes each, across the
// offsets kept every 64th and past texts of 64 KB or more; a workbook with
// more distinct texts than the table holds is refused as too large.
func TestSharedStringsCompactAndCapped(t *testing.T) {
	var rows, sst strings.Builder
	rows.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>openid</t></is></c><c r="B1" t="inlineStr"><is><t>note</t></is></c></row>`)
	const n = 200
	for i := range n {
		note := fmt.Sprint(i)
		if i == 70 {
			note = strings.Repeat("长", 30_000) // 90,000 bytes: past two bytes' count
		}
		fmt.Fprintf(&sst, `<si><t>%s</t></si><si><t>%s</t></si>`, id("o", i), note)
		fmt.Fprintf(&rows, `<row r="%d"><c t="s"><v>%d</v></c><c t="s"><v>%d</v></c></row>`, i+2, 2*i, 2*i+1)
	}
	data := handBook(t, map[string]string{"S": rows.String()}, []string{"S"}, nil, sst.String())
	st, us, err := scan(t, data, Options{})
	if err != nil || st.Rows != n || len(us) != n || us[n-1].OpenID != id("o", n-1) || us[71].OpenID != id("o", 71) {
		t.Fatalf("%v %+v", err, st)
	}
	defer func(was int) { maxSharedStrings = was }(maxSharedStrings)
	maxSharedStrings = 2*n - 1
	if _, _, err := scan(t, data, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a table past its cap: %v", err)
	}
}
