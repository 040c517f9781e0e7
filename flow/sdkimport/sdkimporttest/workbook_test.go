package sdkimporttest

import (
	"context"
	"errors"
	"os"
	"testing"

	"oawizard/flow/sdkimport"
)

// The workbook is what the tests that use it say it is: the reader finds
// both sheets, with every user's two ids, and asks which to read.
func TestTwoSheetWorkbookAsksForASheet(t *testing.T) {
	path := TwoSheetWorkbook(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = sdkimport.Scan(context.Background(), f, "export.xlsx", sdkimport.Options{}, nil)
	var ie *sdkimport.Error
	if !errors.As(err, &ie) || ie.Kind != sdkimport.KindSheetChoice || len(ie.Sheets) != len(TwoSheets) {
		t.Fatalf("reading the workbook gave %v", err)
	}
	for i, sh := range ie.Sheets {
		if sh.Name != TwoSheets[i].Name || sh.IDs != 2*TwoSheets[i].Users {
			t.Errorf("sheet %d read as %+v, want %s with %d ids", i, sh, TwoSheets[i].Name, 2*TwoSheets[i].Users)
		}
	}
}
