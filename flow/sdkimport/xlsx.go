package sdkimport

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// SheetInfo is a workbook sheet that could be the export, with the
// id-shaped values its openid and unionid columns hold in its first
// SampleRows rows.
type SheetInfo struct {
	Name string `json:"name"`
	IDs  int    `json:"ids"`
}

// SampleRows is how far into each sheet the choice looks: enough to tell a
// table of users from a field dictionary or a note, cheap for any size.
const SampleRows = 1000

func scanXLSX(ctx context.Context, br io.Reader, counted *countingReader, opt Options, emit func([]User) error) (Stats, error) {
	f, err := excelize.OpenReader(br, excelize.Options{UnzipSizeLimit: 4 * opt.MaxBytes})
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return Stats{}, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", opt.MaxBytes>>20)}
		}
		return Stats{}, &Error{Kind: KindUnreadable, Detail: "the workbook cannot be opened (broken)"}
	}
	defer f.Close()
	sheet, err := chooseSheet(ctx, f, opt)
	if err != nil {
		return Stats{}, err
	}
	s := newScanner(opt, emit)
	s.stats.Format, s.stats.Sheet = "xlsx", sheet
	if sheet == "" {
		return s.finish()
	}
	if err := s.sheet(ctx, f, sheet, 0, counted); err != nil {
		return s.stats, err
	}
	if s.opt.Progress != nil {
		s.opt.Progress(counted.n, s.stats.Rows)
	}
	return s.finish()
}

// chooseSheet picks the sheet a person would: hidden sheets never; of the
// rest, the one whose id columns hold the most ids, not the first with an
// openid title (a field dictionary has one too). Two sheets with a like
// number of ids are the admin's choice (KindSheetChoice); with none, the
// first visible sheet that has titles or, failing that, content is read,
// for its counts or its preview.
func chooseSheet(ctx context.Context, f *excelize.File, opt Options) (string, error) {
	var visible []SheetInfo
	for _, name := range f.GetSheetList() {
		if v, err := f.GetSheetVisible(name); err == nil && v {
			visible = append(visible, SheetInfo{Name: name})
		}
	}
	if opt.Sheet != "" {
		for _, v := range visible {
			if v.Name == opt.Sheet {
				return v.Name, nil
			}
		}
		return "", &Error{Kind: KindSheetChoice, Detail: "no visible sheet named " + opt.Sheet, Sheets: visible}
	}
	fallback, best := "", -1
	for i := range visible {
		probe := newScanner(Options{Mapping: opt.Mapping, MaxRows: SampleRows, MaxBytes: opt.MaxBytes, Batch: SampleRows}, nil)
		err := probe.sheet(ctx, f, visible[i].Name, SampleRows, nil)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return "", err
		}
		visible[i].IDs = probe.stats.WithOpenID + probe.stats.WithUnionID
		if fallback == "" && (probe.started || len(probe.preview) > 0) {
			fallback = visible[i].Name
		}
		if visible[i].IDs > 0 && (best < 0 || visible[i].IDs > visible[best].IDs) {
			best = i
		}
	}
	if best < 0 {
		return fallback, nil
	}
	var close []SheetInfo
	for _, v := range visible {
		if v.IDs*2 >= visible[best].IDs {
			close = append(close, v)
		}
	}
	if len(close) > 1 {
		return "", &Error{Kind: KindSheetChoice, Detail: "more than one sheet holds ids", Sheets: close}
	}
	return visible[best].Name, nil
}

// sheet reads one sheet's rows, at most limit of them when limit > 0. A
// sheet without titles in its first rows ends quietly, keeping its preview.
func (s *scanner) sheet(ctx context.Context, f *excelize.File, name string, limit int, counted *countingReader) error {
	rows, err := f.Rows(name)
	if err != nil {
		return &Error{Kind: KindUnreadable, Detail: "a sheet cannot be read"}
	}
	defer rows.Close()
	for line := 1; rows.Next(); line++ {
		if limit > 0 && line > limit {
			return nil
		}
		rec, err := rows.Columns()
		if err != nil {
			return &Error{Kind: KindUnreadable, Line: line, Detail: "a sheet cannot be read"}
		}
		if longCell(rec) {
			if err := s.skipRow(line, ReasonTooLong); err != nil {
				return err
			}
			continue
		}
		if err := s.row(ctx, rec, line); err != nil {
			var ie *Error
			if errors.As(err, &ie) && (ie.Kind == KindNoHeader && s.opt.Mapping == nil || limit > 0 && ie.Kind == KindTooLarge) {
				return nil
			}
			return err
		}
		if counted != nil && s.opt.Progress != nil && s.stats.Rows%10000 == 0 {
			s.opt.Progress(counted.n, s.stats.Rows)
		}
	}
	return nil
}

func longCell(rec []string) bool {
	for _, c := range rec {
		if len(c) > maxRecord {
			return true
		}
	}
	return false
}
