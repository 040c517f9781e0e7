// Package sdkimporttest makes analytics exports for the tests of the
// packages above the reader, so that the window's test and the command's
// test read one and the same file. Only tests import it.
package sdkimporttest

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TwoSheets are the sheets of TwoSheetWorkbook, in order, and the users
// each holds: both look like the export, so the reader asks which to read.
var TwoSheets = []struct {
	Name  string
	Users int
}{{"十月", 50}, {"十一月", 60}}

// TwoSheetWorkbook writes a workbook whose two sheets (TwoSheets) each hold
// a title row and users with an openid and a unionid, different on each
// sheet, and returns its path in a folder the test removes.
func TwoSheetWorkbook(t testing.TB) string {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := f.SetSheetName("Sheet1", TwoSheets[0].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet(TwoSheets[1].Name); err != nil {
		t.Fatal(err)
	}
	for s, sheet := range TwoSheets {
		if err := f.SetSheetRow(sheet.Name, "A1", &[]any{"昵称", "openid", "unionid"}); err != nil {
			t.Fatal(err)
		}
		for i := range sheet.Users {
			row := []any{"用户", fmt.Sprintf("o%d%026d", s, i), fmt.Sprintf("u%d%026d", s, i)}
			if err := f.SetSheetRow(sheet.Name, fmt.Sprintf("A%d", i+2), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "export.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}
