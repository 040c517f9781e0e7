package flow

import (
	"context"
	"errors"
	"io"

	"oawizard/flow/sdkimport"
)

// The analytics export as step 2's page sees it: flow's own values, copied
// from the reader's where flow hands them over (ImportExport, SDKView), so
// the window names nothing of the reader.

// ImportMapping names the columns by index (0-based) when detection fails;
// UnionID -1 means the export has none. HeaderRow is the row holding the
// titles, -1 when the file has no title row.
type ImportMapping struct {
	OpenID, UnionID, HeaderRow int
}

// ImportOptions are what the admin chose for one import.
type ImportOptions struct {
	// Mapping is the admin's column mapping; nil lets the reader find
	// the columns.
	Mapping *ImportMapping
	// Sheet names the workbook's sheet to read; empty lets the reader
	// choose, or ask with ImportSheetChoice when two sheets qualify.
	Sheet string
	// Progress is told the bytes read and rows counted so far.
	Progress func(bytesRead int64, rows int)
}

// ImportStats are step 2's counts, as the page words them.
type ImportStats struct {
	Format string // csv-utf8 | csv-utf8-bom | csv-gbk | csv-utf16 | csv-utf16be | xlsx
	Sheet  string // the workbook's sheet that was read
	Rows, WithOpenID, WithUnionID,
	MalformedOpenID, MalformedUnionID, DuplicateOpenID, Blank int
	// UnionIDShare is the share of rows with a valid openid that also
	// carry a valid unionid.
	UnionIDShare float64
	// Skipped rows were read but not imported; each is counted under its
	// reason in Problems.
	Skipped  int
	Problems []ImportProblem
	// UnclosedQuotes are quotes that opened a field and never closed,
	// with the first lines where they were seen.
	UnclosedQuotes     int
	UnclosedQuoteLines []int
	Samples            []ImportUser // masked
}

// ImportProblem is one reason rows were skipped or lost their unionid: how
// many, and the first lines where it was seen.
type ImportProblem struct {
	Reason  string // one of ImportReasons
	Rows    int
	Lines   []int
	Skipped bool // the row was not imported at all
}

// ImportUser is one sample user of the export, its ids masked.
type ImportUser struct{ OpenID, UnionID string }

// ImportSheet is a workbook's sheet that could be the export.
type ImportSheet struct {
	Name      string
	Rows, IDs int
}

// ImportKind is what went wrong with a file.
type ImportKind string

// The kinds the page acts on; every kind has its words under MessageKey.
const (
	ImportNoHeader    = ImportKind(sdkimport.KindNoHeader)
	ImportSheetChoice = ImportKind(sdkimport.KindSheetChoice)
	ImportUnreadable  = ImportKind(sdkimport.KindUnreadable)
)

// ImportError is a file the import cannot use. Preview holds the first rows
// when a manual column mapping could rescue it; Sheets, the sheets to
// choose from. It says and unwraps to the reader's error.
type ImportError struct {
	Kind    ImportKind
	Line    int // the line (or sheet row) at fault, when one is
	Preview [][]string
	Sheets  []ImportSheet
	err     error
	key     string
}

func (e *ImportError) Error() string { return e.err.Error() }
func (e *ImportError) Unwrap() error { return e.err }

// MessageKey is the translation key of the plain message for this error.
func (e *ImportError) MessageKey() string { return e.key }

// ImportExport is ImportSDK for step 2's page, in flow's own values.
func (w *Wizard) ImportExport(ctx context.Context, r io.Reader, name string, size int64, opt ImportOptions) (ImportStats, error) {
	o := sdkimport.Options{Sheet: opt.Sheet, Progress: opt.Progress}
	if m := opt.Mapping; m != nil {
		o.Mapping = &sdkimport.Mapping{OpenID: m.OpenID, UnionID: m.UnionID, HeaderRow: m.HeaderRow}
	}
	s, err := w.ImportSDK(ctx, r, name, size, o)
	return statsView(s), errorView(err)
}

// statsView copies the reader's counts into the page's.
func statsView(s sdkimport.Stats) ImportStats {
	v := ImportStats{Format: s.Format, Sheet: s.Sheet, Rows: s.Rows, WithOpenID: s.WithOpenID, WithUnionID: s.WithUnionID,
		MalformedOpenID: s.MalformedOpenID, MalformedUnionID: s.MalformedUnionID, DuplicateOpenID: s.DuplicateOpenID,
		Blank: s.Blank, UnionIDShare: s.UnionIDShare(), Skipped: s.Skipped, UnclosedQuotes: s.UnclosedQuotes,
		UnclosedQuoteLines: s.UnclosedQuoteLines}
	for _, p := range s.Problems {
		v.Problems = append(v.Problems, ImportProblem{Reason: p.Reason, Rows: p.Rows, Lines: p.Lines, Skipped: p.Skipped})
	}
	for _, u := range s.Samples {
		v.Samples = append(v.Samples, ImportUser{OpenID: u.OpenID, UnionID: u.UnionID})
	}
	return v
}

// errorView gives a file the reader refused as an ImportError wrapping
// all of err, so the window finds it and nothing joined to it is lost.
func errorView(err error) error {
	var ie *sdkimport.Error
	if !errors.As(err, &ie) {
		return err
	}
	v := &ImportError{Kind: ImportKind(ie.Kind), Line: ie.Line, Preview: ie.Preview, err: err, key: ie.MessageKey()}
	for _, sh := range ie.Sheets {
		v.Sheets = append(v.Sheets, ImportSheet{Name: sh.Name, Rows: sh.Rows, IDs: sh.IDs})
	}
	return v
}
