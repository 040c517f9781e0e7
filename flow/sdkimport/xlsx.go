package sdkimport

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// SheetInfo is a workbook sheet that could be the export, with its rows
// and the id-shaped values its openid and unionid columns hold, counted
// over the whole sheet: a sheet whose users start below a thousand rows of
// notes is judged by its users.
type SheetInfo struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
	IDs  int    `json:"ids"`
}

func scanXLSX(ctx context.Context, br io.Reader, counted *countingReader, opt Options, emit func([]User) error) (Stats, error) {
	wb, err := openWorkbook(br, 4*opt.MaxBytes)
	switch {
	case errors.Is(err, errTooLarge):
		return Stats{}, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", opt.MaxBytes>>20)}
	case errors.Is(err, errTooManyTexts):
		return Stats{}, &Error{Kind: KindTooLarge, Detail: err.Error()}
	case err != nil:
		return Stats{}, &Error{Kind: KindUnreadable, Detail: "the workbook cannot be opened (broken)"}
	}
	defer wb.close()
	sheet, err := chooseSheet(ctx, wb, opt)
	if err != nil {
		return Stats{}, err
	}
	s := newScanner(opt, emit)
	defer s.seen.close()
	s.stats.Format, s.stats.Sheet = "xlsx", sheet.name
	if sheet.name == "" {
		return s.finish()
	}
	if err := s.sheet(ctx, wb, sheet, counted); err != nil {
		return s.stats, err
	}
	if s.opt.Progress != nil {
		s.opt.Progress(counted.n, s.stats.Rows)
	}
	return s.finish()
}

// chooseSheet picks the sheet a person would: hidden sheets never; of the
// rest, the one whose id columns hold the most ids, each sheet read whole
// once (a sample of its first rows misjudges a sheet whose users start
// further down), not the first with an openid title (a field dictionary
// has one too). Two sheets with a like
// number of ids are the admin's choice (KindSheetChoice); with none, the
// first visible sheet that has titles or, failing that, content is read,
// for its counts or its preview.
func chooseSheet(ctx context.Context, wb *workbook, opt Options) (wbSheet, error) {
	var visible []wbSheet
	var infos []SheetInfo
	for _, sh := range wb.sheets {
		if sh.visible() {
			visible = append(visible, sh)
			infos = append(infos, SheetInfo{Name: sh.name})
		}
	}
	if opt.Sheet != "" {
		for _, v := range visible {
			if v.name == opt.Sheet {
				return v, nil
			}
		}
		return wbSheet{}, &Error{Kind: KindSheetChoice, Detail: "no visible sheet named " + opt.Sheet, Sheets: infos}
	}
	if len(visible) == 1 {
		return visible[0], nil // read once, not counted first
	}
	fallback, best := -1, -1
	for i := range visible {
		probe := newScanner(Options{Mapping: opt.Mapping, MaxRows: opt.MaxRows, MaxBytes: opt.MaxBytes}, nil)
		err := probe.sheet(ctx, wb, visible[i], nil)
		probe.seen.close()
		var ie *Error
		if err != nil && (!errors.As(err, &ie) || ie.Kind == KindTooLarge) {
			return wbSheet{}, err // cancelled, or more than any export holds
		}
		infos[i].Rows, infos[i].IDs = probe.stats.Rows, probe.stats.WithOpenID+probe.stats.WithUnionID
		if fallback < 0 && (probe.started || len(probe.preview) > 0) {
			fallback = i
		}
		if infos[i].IDs > 0 && (best < 0 || infos[i].IDs > infos[best].IDs) {
			best = i
		}
	}
	if best < 0 {
		if fallback < 0 {
			return wbSheet{}, nil
		}
		return visible[fallback], nil
	}
	var close []SheetInfo
	for _, v := range infos {
		if v.IDs*2 >= infos[best].IDs {
			close = append(close, v)
		}
	}
	if len(close) > 1 {
		return wbSheet{}, &Error{Kind: KindSheetChoice, Detail: "more than one sheet holds ids", Sheets: close}
	}
	return visible[best], nil
}

// sheet reads one sheet's rows. A sheet without titles in its first rows
// ends quietly, keeping its preview.
func (s *scanner) sheet(ctx context.Context, wb *workbook, sh wbSheet, counted *countingReader) error {
	var strs []string
	err := wb.rows(sh.part, func(line int, rec [][]byte, tooLong bool) error {
		if tooLong {
			return s.skipRow(line, ReasonTooLong)
		}
		if s.started {
			if err := s.dataBytes(ctx, rec, line); err != nil {
				return err
			}
		} else {
			strs = strs[:0]
			for _, c := range rec {
				strs = append(strs, string(c))
			}
			if err := s.row(ctx, strs, line); err != nil {
				return err
			}
		}
		if counted != nil && s.opt.Progress != nil && s.stats.Rows%10000 == 0 {
			s.opt.Progress(counted.n, s.stats.Rows)
		}
		return nil
	})
	var ie *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ie):
		if ie.Kind == KindNoHeader && s.opt.Mapping == nil {
			return nil // no titles in this sheet's first rows
		}
		return err
	case errors.Is(err, errTooLarge):
		return &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("unzips to more than %d MB", 4*s.opt.MaxBytes>>20)}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return &Error{Kind: KindUnreadable, Detail: "a sheet cannot be read"}
}
