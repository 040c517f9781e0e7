package sdkimport

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// corpusCase is one hostile export, generated here, with what a careful
// reader of it must count.
type corpusCase struct {
	name     string
	data     []byte
	opt      Options
	err      error // the kind of refusal expected, or nil
	format   string
	sheet    string
	rows     int
	openIDs  int
	unionIDs int
	problems map[string][]int // reason → its first lines; nil lines: only the count matters
	counts   map[string]int   // reason → rows, where more than the lines listed
	unclosed []int
}

// rowsOf writes n rows of nickname, openid, unionid from first, each ended
// by the ending eol(i) gives.
func rowsOf(title string, first, n int, eol func(i int) string) string {
	var b strings.Builder
	if title != "" {
		b.WriteString(title + eol(-1))
	}
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "用户%d,%s,%s%s", i, id("o", i), id("u", i), eol(i))
	}
	return b.String()
}

func same(s string) func(int) string { return func(int) string { return s } }

const title = "昵称,openid,unionid"

func textCorpus() []corpusCase {
	mixed := rowsOf(title, 0, 5000, func(i int) string { return []string{"\r\n", "\n", "\r"}[(i+3)%3] })
	glued := rowsOf(title, 0, 2500, same("\r\n")) + rowsOf(title, 2500, 2500, same("\r"))
	crQuoted := strings.Replace(rowsOf(title, 0, 5000, same("\r")), "用户7,", "\"第一行\n第二行\",", 1)
	crFinal := strings.TrimSuffix(rowsOf(title, 0, 3, same("\r")), "\r") + "\r\n"
	// "Tom on row 10 is closed by Jerry" ten rows later: the rows between are
	// whole rows, not a cell's lines.
	tom := strings.Replace(strings.Replace(rowsOf(title, 0, 5000, same("\n")), "用户9,", "\"Tom,", 1), "用户19,", "Jerry\",", 1)
	excelText := "昵称,openid,unionid\n" +
		"a,=\"" + id("o", 1) + "\",=\"" + id("u", 1) + "\"\n" +
		"b,\"=\"\"" + id("o", 2) + "\"\"\",\"=\"\"" + id("u", 2) + "\"\"\"\n"
	gbkBody, _ := simplifiedchinese.GBK.NewEncoder().String(rowsOf("用户昵称,微信OpenID,unionid（开放平台）", 0, 50, same("\r\n")))
	gbkBad := []byte(gbkBody)
	gbkBad[bytes.Index(gbkBad, []byte("7,o"))-4] = 0xFF // no GBK byte: the first of 用 in 用户7, line 9
	u16bad := []byte(u16le(strings.ReplaceAll(rowsOf(title, 0, 20, same("\r\n")), ",", "\t")))
	at := bytes.Index(u16bad, []byte("5\x00\t\x00o\x00")) - 4
	u16bad[at], u16bad[at+1] = 0x00, 0xD8 // 用 of 用户5 (line 7) made half a surrogate pair
	stray := []byte(rowsOf(title, 0, 100, same("\n")))
	stray[bytes.Index(stray, []byte("用户41,"))] = 0xB0 // one byte of 用 damaged on line 43; B0 94 is a GBK pair
	u16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(rowsOf(title, 0, 20, same("\r\n")), ",", "\t"))
	big5, _ := traditionalchinese.Big5.NewEncoder().String(strings.ReplaceAll(rowsOf("暱稱,開放平台UnionID,openid", 0, 30, same("\r\n")), "用户", "會員帳號"))
	big5Bad := []byte(big5)
	big5Bad[bytes.Index(big5Bad, []byte("7,o"))-8] = 0x80 // no Big5 byte: the first of 會 in 會員帳號7, line 9
	placeholders := "openid,unionid\n" + id("o", 1) + "," + id("u", 1) + "\nnull," + id("u", 2) + "\nundefined,\n0,0\n-,-\n" +
		id("o", 3) + ",null\n" + id("o", 4) + "," + id("o", 4) + "\n" + id("o", 5) + ",undefined\n"
	nul := strings.Replace(rowsOf(title, 0, 30, same("\n")), "用户12", "用\x00户12", 1)
	resaved := mojibake("昵称") + ",openid," + mojibake("unionid（开放平台）") + "\n" + rowsOf("", 0, 40, same("\n"))
	blanks := strings.Replace(rowsOf(title, 0, 10, same("\n")), "用户4,", "\n\n用户4,", 1)
	return []corpusCase{
		{name: "mixed endings", data: []byte(mixed), format: "csv-utf8", rows: 5000, openIDs: 5000, unionIDs: 5000},
		{name: "two exports glued, CRLF then CR", data: []byte(glued), rows: 5001, openIDs: 5000, unionIDs: 5000,
			problems: map[string][]int{ReasonRepeatedTitles: {2502}}},
		{name: "CR file, newline in a quoted cell", data: []byte(crQuoted), rows: 5000, openIDs: 5000, unionIDs: 5000},
		{name: "small CR file with a final CRLF", data: []byte(crFinal), rows: 3, openIDs: 3, unionIDs: 3},
		{name: "quote closed ten rows later", data: []byte(tom), rows: 5000, openIDs: 5000, unionIDs: 5000, unclosed: []int{11}},
		{name: "Excel text cells", data: []byte(excelText), rows: 2, openIDs: 2, unionIDs: 2},
		{name: "UTF-8 BOM before a GBK body", data: append([]byte{0xEF, 0xBB, 0xBF}, gbkBody...), format: "csv-gbk", rows: 50, openIDs: 50, unionIDs: 50},
		{name: "one stray byte in UTF-8", data: stray, format: "csv-utf8", rows: 100, openIDs: 99, unionIDs: 99,
			problems: map[string][]int{ReasonBadEncoding: {43}}},
		{name: "GBK with a byte GBK has no character for", data: gbkBad, format: "csv-gbk", rows: 50, openIDs: 49, unionIDs: 49,
			problems: map[string][]int{ReasonBadEncoding: {9}}},
		{name: "UTF-16 with half a surrogate pair", data: u16bad, format: "csv-utf16", rows: 20, openIDs: 19, unionIDs: 19,
			problems: map[string][]int{ReasonBadEncoding: {7}}},
		{name: "Big5 with a byte Big5 has no character for", data: big5Bad, format: "csv-big5", rows: 30, openIDs: 29, unionIDs: 29,
			problems: map[string][]int{ReasonBadEncoding: {9}}},
		{name: "UTF-16BE with BOM", data: []byte(u16be), format: "csv-utf16be", rows: 20, openIDs: 20, unionIDs: 20},
		{name: "Big5, titles reversed", data: []byte(big5), format: "csv-big5", rows: 30, openIDs: 30, unionIDs: 30},
		{name: "placeholders and unionid = openid", data: []byte(placeholders), rows: 8, openIDs: 4, unionIDs: 1,
			problems: map[string][]int{ReasonPlaceholderOpenID: {3, 4, 5, 6}, ReasonPlaceholderUnionID: {7, 9}, ReasonUnionIDIsOpenID: {8}}},
		{name: "a NUL byte in one row", data: []byte(nul), rows: 30, openIDs: 29, unionIDs: 29,
			problems: map[string][]int{ReasonBadEncoding: {14}}},
		{name: "UTF-8 titles re-saved as Windows-1252", data: []byte(resaved), rows: 40, openIDs: 40, unionIDs: 40},
		{name: "blank lines between rows", data: []byte(blanks), rows: 10, openIDs: 10, unionIDs: 10,
			problems: map[string][]int{ReasonBlankLine: {6, 7}}},
		{name: "only blank lines", data: []byte("\n\r\n\r\n  \n"), err: ErrEmpty},
		{name: "random bytes", data: randomBytes(4096), err: ErrBinary},
		{name: "password-protected workbook", data: encryptedWorkbook(), err: ErrPassword},
		{name: "old .xls workbook", data: append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...), err: ErrOldExcel},
	}
}

// u16le is s as Excel's "Unicode text" writes it: UTF-16LE with a BOM.
func u16le(s string) string {
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

// mojibake is what a spreadsheet on a Western system makes of UTF-8 text
// it opened as Windows-1252 and saved again; undefined bytes become
// U+F100 + the byte, as LibreOffice writes them.
func mojibake(s string) string {
	var out strings.Builder
	for _, c := range []byte(s) {
		switch r := charmap.Windows1252.DecodeByte(c); {
		case c < 0x80:
			out.WriteByte(c)
		case r == utf8.RuneError || r == rune(c) && c >= 0x80 && c <= 0x9F:
			out.WriteRune(0xF100 + rune(c))
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// encryptedWorkbook is the start of what Excel writes for a .xlsx with an
// opening password: a compound file whose directory names an
// EncryptedPackage stream.
func encryptedWorkbook() []byte {
	b := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1016)...)
	name, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte("EncryptedPackage"))
	return append(b, name...)
}

type sheetRows struct {
	name   string
	hidden string // "", "hidden" or "veryHidden"
	rows   [][]any
}

func book(t *testing.T, sheets ...sheetRows) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if err := f.SetSheetRow(s.name, fmt.Sprintf("A%d", r+1), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, s := range sheets {
		if s.hidden == "" {
			f.SetActiveSheet(i) // a sheet shown can be hidden only while another is active
			break
		}
	}
	for _, s := range sheets {
		if s.hidden != "" {
			if err := f.SetSheetVisible(s.name, false, s.hidden == "veryHidden"); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// swapInZip replaces marker by text in every XML part of a workbook: a
// cell longer than Excel (or excelize) would write.
func swapInZip(t *testing.T, book []byte, marker, text string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.ReplaceAll(b, []byte(marker), []byte(text))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func users(first, n int) [][]any {
	out := [][]any{{"昵称", "openid", "unionid"}}
	for i := first; i < first+n; i++ {
		out = append(out, []any{fmt.Sprintf("用户%d", i), id("o", i), id("u", i)})
	}
	return out
}

func xlsxCorpus(t *testing.T) []corpusCase {
	dictionary := sheetRows{name: "字段说明", rows: [][]any{{"字段", "说明", "示例"}, {"openid", "小程序用户标识", id("o", 9)}, {"unionid", "开放平台标识", id("u", 9)}}}
	dictionaryAsTable := sheetRows{name: "字段说明", rows: [][]any{{"openid", "unionid"}, {id("o", 99999), id("u", 99999)}}}
	examples := sheetRows{name: "字段说明", rows: [][]any{{"openid", "unionid"}}}
	for i := range 1000 {
		examples.rows = append(examples.rows, []any{id("o", 900000+i), id("u", 900000+i)})
	}
	late := sheetRows{name: "用户", rows: [][]any{{"昵称", "openid", "unionid"}}}
	for i := range 1200 {
		late.rows = append(late.rows, []any{fmt.Sprintf("访客%d", i), "", ""})
	}
	late.rows = append(late.rows, users(0, 5000)[1:]...)
	long := users(0, 5)
	long[3][0] = "LONGCELL"
	return []corpusCase{
		{name: "data after a field dictionary", data: book(t, dictionaryAsTable, sheetRows{name: "用户", rows: users(0, 300)}),
			format: "xlsx", sheet: "用户", rows: 300, openIDs: 300, unionIDs: 300},
		{name: "users below the first thousand rows, beside a thousand examples", data: book(t, examples, late),
			format: "xlsx", sheet: "用户", rows: 6200, openIDs: 5000, unionIDs: 5000,
			problems: map[string][]int{ReasonNoOpenID: {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}, counts: map[string]int{ReasonNoOpenID: 1200}},
		{name: "hidden stale sheet first", data: book(t, sheetRows{name: "旧", hidden: "hidden", rows: users(0, 400)}, dictionary,
			sheetRows{name: "备份", hidden: "veryHidden", rows: users(0, 500)}, sheetRows{name: "导出", rows: users(1000, 200)}),
			format: "xlsx", sheet: "导出", rows: 200, openIDs: 200, unionIDs: 200},
		{name: "two sheets qualify", data: book(t, sheetRows{name: "十月", rows: users(0, 100)}, sheetRows{name: "十一月", rows: users(100, 120)}),
			err: ErrSheet},
		{name: "two sheets, one named", data: book(t, sheetRows{name: "十月", rows: users(0, 100)}, sheetRows{name: "十一月", rows: users(100, 120)}),
			opt: Options{Sheet: "十月"}, format: "xlsx", sheet: "十月", rows: 100, openIDs: 100, unionIDs: 100},
		{name: "a cell over the cap", data: swapInZip(t, book(t, sheetRows{name: "用户", rows: long}), "LONGCELL", strings.Repeat("长", maxRecord/3+1)), rows: 5, openIDs: 4, unionIDs: 4,
			problems: map[string][]int{ReasonTooLong: {4}}},
	}
}

func TestCorpus(t *testing.T) {
	for _, c := range append(textCorpus(), xlsxCorpus(t)...) {
		t.Run(c.name, func(t *testing.T) {
			st, us, err := scan(t, c.data, c.opt)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("got %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.format != "" && st.Format != c.format || c.sheet != "" && st.Sheet != c.sheet {
				t.Errorf("read as %s, sheet %q; want %s, %q", st.Format, st.Sheet, c.format, c.sheet)
			}
			if st.Rows != c.rows || st.WithOpenID != c.openIDs || st.WithUnionID != c.unionIDs || len(us) != c.openIDs {
				t.Errorf("rows %d, openids %d, unionids %d, users %d; want %d, %d, %d", st.Rows, st.WithOpenID, st.WithUnionID, len(us), c.rows, c.openIDs, c.unionIDs)
			}
			// Every row read is imported or counted with a reason.
			if st.Rows != st.WithOpenID+st.Skipped {
				t.Errorf("%d rows = %d imported + %d skipped does not add up", st.Rows, st.WithOpenID, st.Skipped)
			}
			for reason, lines := range c.problems {
				got := problemOf(st, reason)
				want, ok := c.counts[reason]
				if !ok {
					want = len(lines)
				}
				if fmt.Sprint(got.Lines) != fmt.Sprint(lines) || got.Rows != want {
					t.Errorf("%s: %d at lines %v, want lines %v", reason, got.Rows, got.Lines, lines)
				}
			}
			if len(st.Problems) != len(c.problems) {
				t.Errorf("problems %+v, want only %v", st.Problems, c.problems)
			}
			if fmt.Sprint(st.UnclosedQuoteLines) != fmt.Sprint(c.unclosed) && len(c.unclosed)+len(st.UnclosedQuoteLines) > 0 {
				t.Errorf("unclosed quotes at %v, want %v", st.UnclosedQuoteLines, c.unclosed)
			}
		})
	}
}

func problemOf(st Stats, reason string) Problem {
	for _, p := range st.Problems {
		if p.Reason == reason {
			return p
		}
	}
	return Problem{}
}

func TestSheetChoiceNamesTheCandidates(t *testing.T) {
	data := book(t, sheetRows{name: "十月", rows: users(0, 100)}, sheetRows{name: "说明", rows: [][]any{{"本表说明"}}}, sheetRows{name: "十一月", rows: users(100, 120)})
	_, _, err := scan(t, data, Options{})
	var ie *Error
	if !errors.As(err, &ie) || fmt.Sprint(ie.Sheets) != "[{十月 100 200} {十一月 120 240}]" {
		t.Fatalf("got %v %+v", err, ie)
	}
}

func TestEveryTitleForm(t *testing.T) {
	for _, f := range titleForms {
		rec := []string{"昵称", f.Title}
		o, u, _ := detectHeader(rec)
		got := ""
		switch {
		case o == 1:
			got = "openid"
		case u == 1:
			got = "unionid"
		}
		if got != f.Column {
			t.Errorf("%q read as %q, want %q", f.Title, got, f.Column)
		}
	}
	for _, other := range []string{"公众号openid", "openid说明", "union", "昵称", "open", "id"} {
		if o, u, _ := detectHeader([]string{other}); o >= 0 || u >= 0 {
			t.Errorf("%q taken for an id column", other)
		}
	}
}
