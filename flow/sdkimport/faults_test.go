package sdkimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// export is n rows of nickname, openid, unionid; nick overrides row i's
// nickname, as a hand edit in Excel would.
func export(n int, nick map[int]string) string {
	var b strings.Builder
	b.WriteString("昵称,openid,unionid\n")
	for i := 0; i < n; i++ {
		name, ok := nick[i]
		if !ok {
			name = fmt.Sprintf("用户%d", i)
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", name, id("o", i), id("u", i))
	}
	return b.String()
}

func TestUnclosedQuoteNeverSwallowsRows(t *testing.T) {
	cases := map[string]struct {
		nick  map[int]string
		lines []int
	}{
		"one at row 10":     {map[int]string{9: `"小明的店`}, []int{11}},
		"two, 90 apart":     {map[int]string{9: `"小明的店`, 99: `"小红`}, []int{11, 101}},
		"two, close":        {map[int]string{9: `"小明的店`, 11: `"小红`}, []int{11, 13}},
		"in the last row":   {map[int]string{4999: `"小刚`}, []int{5001}},
		"closed and spills": {map[int]string{20: `"阿"美`}, nil},
	}
	for name, c := range cases {
		st, users, err := scan(t, []byte(export(5000, c.nick)), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if st.Rows != 5000 || st.WithOpenID != 5000 || len(users) != 5000 || st.Skipped != 0 {
			t.Errorf("%s: %d rows read, %d users, %d skipped; want all 5000", name, st.Rows, len(users), st.Skipped)
		}
		if fmt.Sprint(st.UnclosedQuoteLines) != fmt.Sprint(c.lines) && !(len(c.lines) == 0 && len(st.UnclosedQuoteLines) == 0) {
			t.Errorf("%s: unclosed quotes reported at %v, want %v", name, st.UnclosedQuoteLines, c.lines)
		}
	}
}

func TestQuotedCellsOverSeveralLinesStayOneRow(t *testing.T) {
	data := "昵称,openid,unionid\n" +
		"\"第一行\n第二行, 带逗号\n\"\"第三行\"\"\"," + id("o", 1) + "," + id("u", 1) + "\r\n" +
		"\"普通\"," + id("o", 2) + "," + id("u", 2) + "\r\n"
	st, users, err := scan(t, []byte(data), Options{})
	if err != nil || st.Rows != 2 || len(users) != 2 || st.UnclosedQuotes != 0 || users[1].OpenID != id("o", 2) {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestOldMacLineEndings(t *testing.T) {
	data := strings.ReplaceAll(export(300, nil), "\n", "\r")
	st, _, err := scan(t, []byte(data), Options{})
	if err != nil || st.Rows != 300 || st.WithUnionID != 300 {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestXLSXDataOnALaterSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"说明：本表为 2026 年 10 月导出的已识别用户"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"导出人", "张三"})
	f.NewSheet("用户")
	f.SetSheetRow("用户", "A1", &[]any{"昵称", "openid", "unionid"})
	for i := 0; i < 40; i++ {
		f.SetSheetRow("用户", fmt.Sprintf("A%d", i+2), &[]any{"李四", id("o", i), id("u", i)})
	}
	var buf bytes.Buffer
	f.WriteTo(&buf)
	st, users, err := scan(t, buf.Bytes(), Options{})
	if err != nil || st.Rows != 40 || len(users) != 40 {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestFolderIsNamedAsSuch(t *testing.T) {
	d, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = Scan(context.Background(), d, "exports", Options{}, nil)
	if !errors.Is(err, ErrFolder) {
		t.Fatalf("want ErrFolder, got %v", err)
	}
}

// failReader fails the test if anything reads it.
type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("a file over the limit was read")
	return 0, io.EOF
}

func TestOversizeRefusedBeforeReading(t *testing.T) {
	_, err := Scan(context.Background(), failReader{t}, "big.csv", Options{Size: 2<<30 + 1}, nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
}

type repeatReader struct{ left int }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.left -= n
	return n, nil
}

func TestHugeLineTakesBoundedMemory(t *testing.T) {
	r := io.MultiReader(strings.NewReader("openid,unionid\n"+id("o", 1)+","+id("u", 1)+"\n"),
		&repeatReader{left: 150 << 20}, strings.NewReader("\n"+id("o", 2)+",\n"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var users []User
	st, err := Scan(context.Background(), r, "x", Options{}, func(b []User) error { users = append(users, b...); return nil })
	runtime.ReadMemStats(&after)
	if err != nil || st.Rows != 3 || st.LineTooLong != 1 || st.Skipped != 1 || len(users) != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > 16 {
		t.Fatalf("a 150 MB line allocated %d MB", alloc)
	}
}

func TestProgressReportsRowsAndBytes(t *testing.T) {
	data := export(25000, nil)
	var calls, lastRows int
	var lastBytes int64
	_, _, err := scan(t, []byte(data), Options{Progress: func(b int64, rows int) {
		calls++
		lastBytes, lastRows = b, rows
	}})
	if err != nil || calls < 3 || lastRows != 25000 || lastBytes != int64(len(data)) {
		t.Fatalf("%d calls, last %d rows %d bytes of %d: %v", calls, lastRows, lastBytes, len(data), err)
	}
}
