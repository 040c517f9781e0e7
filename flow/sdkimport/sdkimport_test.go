package sdkimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func id(prefix string, i int) string { return fmt.Sprintf("%s%027d", prefix, i) }

func scan(t *testing.T, data []byte, opt Options) (Stats, []User, error) {
	t.Helper()
	var users []User
	st, err := Scan(context.Background(), bytes.NewReader(data), "x", opt, func(b []User) error {
		users = append(users, b...)
		return nil
	})
	return st, users, err
}

func csvText(header string, n int) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,%s,%s\n", i, id("o", i), id("u", i))
	}
	return b.String()
}

func TestEncodingsAndHeaders(t *testing.T) {
	utf8 := csvText("序号,微信OpenID,微信UnionID", 3)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(utf8)
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(utf8, ",", "\t"))
	cases := map[string]struct {
		data   string
		format string
	}{
		"utf8":       {utf8, "csv-utf8"},
		"bom":        {"\ufeff" + utf8, "csv-utf8-bom"},
		"gbk":        {gbk, "csv-gbk"},
		"utf16":      {u16, "csv-utf16"},
		"semicolon":  {strings.ReplaceAll(csvText("id,open_id,union_id", 3), ",", ";"), "csv-utf8"},
		"title rows": {"用户导出\n导出时间 2026-11-01\n\n" + csvText("No,OpenId,unionId", 3), "csv-utf8"},
		"fullwidth":  {csvText("序号,ＯｐｅｎＩＤ,ＵｎｉｏｎＩＤ", 3), "csv-utf8"},
	}
	for name, c := range cases {
		st, users, err := scan(t, []byte(c.data), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if st.Format != c.format || st.Rows != 3 || st.WithOpenID != 3 || st.WithUnionID != 3 || len(users) != 3 || users[2].UnionID != id("u", 2) {
			t.Errorf("%s: %+v", name, st)
		}
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"昵称", "openid", "unionid"})
	for i := 0; i < 50; i++ {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{"张三", id("o", i), id("u", i)})
	}
	var buf bytes.Buffer
	f.WriteTo(&buf)
	st, users, err := scan(t, buf.Bytes(), Options{})
	if err != nil || st.Format != "xlsx" || st.Rows != 50 || len(users) != 50 {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestCountsAndMasking(t *testing.T) {
	data := "openid,unionid\n" +
		id("o", 1) + "," + id("u", 1) + "\n" +
		id("o", 1) + "," + id("u", 1) + "\n" + // duplicate
		id("o", 2) + ",\n" + // no unionid
		"not-an-id," + id("u", 3) + "\n" + // malformed openid
		id("o", 4) + ",bad id!\n" + // malformed unionid
		"," + id("u", 5) + "\n" + // blank openid
		",\n" // blank line
	st, users, err := scan(t, []byte(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Rows: 6, WithOpenID: 3, WithUnionID: 1, MalformedOpenID: 1, MalformedUnionID: 1, DuplicateOpenID: 1, Blank: 1}
	if st.Rows != want.Rows || st.WithOpenID != want.WithOpenID || st.WithUnionID != want.WithUnionID || st.MalformedOpenID != 1 ||
		st.MalformedUnionID != 1 || st.DuplicateOpenID != 1 || st.Blank != 1 || len(users) != 3 {
		t.Fatalf("got %+v", st)
	}
	for _, s := range st.Samples {
		if strings.Contains(s.OpenID, id("o", 1)[4:24]) {
			t.Fatal("a sample is not masked")
		}
	}
}

func TestBadFiles(t *testing.T) {
	cases := map[string]struct {
		data string
		opt  Options
		want error
	}{
		"empty":        {"", Options{}, ErrEmpty},
		"header only":  {"openid,unionid\n", Options{}, ErrEmpty},
		"no header":    {"name,phone\nA,1\nB,2\n", Options{}, ErrNoHeader},
		"png":          {"\x89PNG\r\n\x1a\nxxxx", Options{}, ErrBinary},
		"zip not xlsx": {"PK\x03\x04garbage", Options{}, ErrUnreadable},
		"too large":    {csvText("openid,unionid", 2000), Options{MaxBytes: 1000}, ErrTooLarge},
		"too many":     {csvText("a,openid,unionid", 20), Options{MaxRows: 10}, ErrTooLarge},
	}
	for name, c := range cases {
		_, _, err := scan(t, []byte(c.data), c.opt)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
		var ie *Error
		if errors.As(err, &ie) && ie.MessageKey() == "" {
			t.Errorf("%s: no message key", name)
		}
	}
	_, _, err := scan(t, []byte("name,phone\nA,1\n"), Options{})
	var ie *Error
	if !errors.As(err, &ie) || len(ie.Preview) != 2 {
		t.Fatalf("no-header error should carry a preview: %v", err)
	}
}

func TestManualMapping(t *testing.T) {
	data := "编号,标识A,标识B\n1," + id("o", 1) + "," + id("u", 1) + "\n2," + id("o", 2) + ",\n"
	st, users, err := scan(t, []byte(data), Options{Mapping: &Mapping{OpenID: 1, UnionID: 2, HeaderRow: 0}})
	if err != nil || st.Rows != 2 || st.WithUnionID != 1 || len(users) != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	st, _, err = scan(t, []byte(id("o", 1)+"\n"+id("o", 2)+"\n"), Options{Mapping: &Mapping{OpenID: 0, UnionID: -1, HeaderRow: -1}})
	if err != nil || st.Rows != 2 || st.WithOpenID != 2 {
		t.Fatalf("no title row: %+v %v", st, err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Scan(ctx, strings.NewReader(csvText("openid,unionid", 10000)), "x", Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}

func BenchmarkScanCSV(b *testing.B) {
	data := []byte(csvText("n,openid,unionid", 1_000_000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Scan(context.Background(), bytes.NewReader(data), "x", Options{}, func([]User) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
