package flow

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"oawizard/flow/sdkimport"
	"oawizard/flow/sdkimport/sdkimporttest"
)

// The page's import says what the reader said, in flow's values: the
// sheets to choose from, the words and code of the refusal, then the
// chosen sheet's counts, the same as the stored import's.
func TestTheWindowsImportSaysWhatTheReaderSaid(t *testing.T) {
	ctx := context.Background()
	w, _, _ := newTestWizard(t)
	path := sdkimporttest.TwoSheetWorkbook(t)
	read := func(sheet string) (ImportStats, error) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return w.ImportExport(ctx, f, fi.Name(), fi.Size(), ImportOptions{Sheet: sheet})
	}
	_, err := read("")
	var ie *ImportError
	var se *sdkimport.Error
	if !errors.As(err, &ie) || !errors.As(err, &se) || ie.Kind != ImportSheetChoice || len(ie.Sheets) != len(se.Sheets) {
		t.Fatalf("a workbook of two exports gave %v", err)
	}
	for i, sh := range se.Sheets {
		if got := ie.Sheets[i]; got.Name != sh.Name || got.Rows != sh.Rows || got.IDs != sh.IDs {
			t.Errorf("sheet %d is %+v, the reader's %+v", i, got, sh)
		}
	}
	if ie.MessageKey() != se.MessageKey() || ie.Error() != err.Error() || ErrorCode(err) != "import/"+string(se.Kind) {
		t.Errorf("the refusal is worded %q, %q, %q", ie.MessageKey(), ie.Error(), ErrorCode(err))
	}
	chosen := sdkimporttest.TwoSheets[1]
	got, err := read(chosen.Name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.SDKView(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sheet != chosen.Name || got.Rows != chosen.Users || got.UnionIDShare != 1 || !reflect.DeepEqual(got, v.Stats) {
		t.Errorf("the import counted %+v; step 2 shows %+v", got, v.Stats)
	}
}
