// Package sdkimport reads the analytics platform's export of identified users
// (CSV in UTF-8, UTF-8 with BOM, GBK or UTF-16; or XLSX), finds the openid and
// unionid columns, and counts what step 2's badges need, streaming the users
// to the caller in batches so millions of rows never sit in memory at once.
package sdkimport

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// User is one identified user of the export.
type User struct{ OpenID, UnionID string }

// Mapping names the columns by index (0-based) when detection fails; UnionID
// -1 means the export has none. HeaderRow is the row holding the titles, -1
// when the file has no title row.
type Mapping struct {
	OpenID, UnionID, HeaderRow int
}

// Options tune a scan. Zero values take the defaults.
type Options struct {
	Mapping *Mapping
	// Sheet names the workbook's sheet to read; empty lets the reader
	// choose, or ask with KindSheetChoice when two sheets qualify.
	Sheet    string
	MaxBytes int64 // default 2 GB: a 10,000,000-user export is about 1 GB
	MaxRows  int   // default 20,000,000
	Batch    int   // users per emit call; default 10,000
	// Size is the file's size when known; a file over MaxBytes is then
	// refused before anything is read.
	Size int64
	// Progress is told the bytes read and rows counted so far, every
	// 10,000 rows and at the end.
	Progress func(bytesRead int64, rows int)
}

func (o *Options) defaults() {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 2 << 30
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 20_000_000
	}
	if o.Batch <= 0 {
		o.Batch = 10000
	}
}

// Stats are step 2's counts.
type Stats struct {
	Format           string   `json:"format"`          // csv-utf8 | csv-utf8-bom | csv-gbk | csv-utf16 | csv-utf16be | xlsx
	Sheet            string   `json:"sheet,omitempty"` // the workbook's sheet that was read
	Header           []string `json:"header"`
	OpenIDColumn     int      `json:"openid_column"`
	UnionIDColumn    int      `json:"unionid_column"` // -1: none
	Rows             int      `json:"rows"`
	WithOpenID       int      `json:"with_openid"`
	WithUnionID      int      `json:"with_unionid"`
	MalformedOpenID  int      `json:"malformed_openid"`
	MalformedUnionID int      `json:"malformed_unionid"`
	DuplicateOpenID  int      `json:"duplicate_openid"`
	Blank            int      `json:"blank"`
	LineTooLong      int      `json:"line_too_long"`
	// Skipped rows are read but not imported; each is counted under its
	// reason in Problems, with the lines where it was seen.
	Skipped int `json:"skipped"`
	// BlankLines are lines with nothing in any cell: not rows, not in Rows,
	// counted under ReasonBlankLine.
	BlankLines int       `json:"blank_lines"`
	Problems   []Problem `json:"problems"`
	// UnclosedQuotes are quotes that opened a field and never closed; the
	// rows after them were read as rows, not swallowed into one field.
	UnclosedQuotes     int    `json:"unclosed_quotes"`
	UnclosedQuoteLines []int  `json:"unclosed_quote_lines,omitempty"` // the first ten
	Samples            []User `json:"samples"`                        // masked
}

// UnionIDShare is the share of rows with a valid openid that also carry a
// valid unionid.
func (s Stats) UnionIDShare() float64 {
	if s.WithOpenID == 0 {
		return 0
	}
	return float64(s.WithUnionID) / float64(s.WithOpenID)
}

// Kind is what went wrong with a file, for the window's message.
type Kind string

const (
	KindEmpty      Kind = "empty"      // nothing in it, or only a title row
	KindNoHeader   Kind = "no_header"  // no openid column found; a manual mapping can help
	KindBinary     Kind = "binary"     // an image, PDF, archive…
	KindTooLarge   Kind = "too_large"  // over MaxBytes or MaxRows
	KindUnreadable Kind = "unreadable" // a broken or password-protected workbook
	KindFolder     Kind = "folder"     // a folder was chosen, not a file
	// KindSheetChoice: two sheets each look like the export; the admin
	// names one (Options.Sheet).
	KindSheetChoice Kind = "sheet_choice"
	KindPassword    Kind = "password"  // a workbook that opens only with its password
	KindOldExcel    Kind = "old_excel" // an .xls workbook (or another old Office file), not .xlsx
)

// Error is a file the import cannot use. Preview holds the first rows when a
// manual column mapping could rescue it.
type Error struct {
	Kind    Kind
	Detail  string
	Line    int // the line (or sheet row) at fault, when one is
	Preview [][]string
	// Sheets are the workbook's sheets that could each be the export,
	// when KindSheetChoice asks which one to read.
	Sheets []SheetInfo
}

func (e *Error) Error() string { return "sdkimport: " + string(e.Kind) + ": " + e.Detail }

// Is lets errors.Is(err, sdkimport.ErrNoHeader) match by kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Detail == ""
}

// MessageKey is the translation key of the plain message for this error.
func (e *Error) MessageKey() string { return "sdk.error." + string(e.Kind) }

// Kinds are all the kinds, each with its message.
var Kinds = []Kind{KindEmpty, KindNoHeader, KindBinary, KindTooLarge, KindUnreadable, KindFolder, KindSheetChoice, KindPassword, KindOldExcel}

// Sentinels for errors.Is.
var (
	ErrEmpty      = &Error{Kind: KindEmpty}
	ErrNoHeader   = &Error{Kind: KindNoHeader}
	ErrBinary     = &Error{Kind: KindBinary}
	ErrTooLarge   = &Error{Kind: KindTooLarge}
	ErrUnreadable = &Error{Kind: KindUnreadable}
	ErrFolder     = &Error{Kind: KindFolder}
	ErrSheet      = &Error{Kind: KindSheetChoice}
	ErrPassword   = &Error{Kind: KindPassword}
	ErrOldExcel   = &Error{Kind: KindOldExcel}
)

// WeChat's id alphabet is [A-Za-z0-9_-]. Real openids and unionids are 28
// characters; exports sometimes carry other lengths from older SDKs, so
// anything from 20 to 64 is accepted.

// ValidID reports whether s looks like an openid or unionid.
func ValidID(s string) bool { return validID([]byte(s)) }

// validID is idRE without the regexp machinery, for millions of rows.
func validID(b []byte) bool {
	if len(b) < 20 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Mask shows enough of an id to recognise it and no more.
func Mask(id string) string {
	if len(id) <= 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// scanner is the shared row loop for CSV and XLSX.
type scanner struct {
	opt     Options
	emit    func([]User) error
	stats   Stats
	seen    idSet
	batch   []User
	started bool
	preview [][]string
	lines   []int // the line of each preview row
	mapping Mapping
}

func newScanner(opt Options, emit func([]User) error) *scanner {
	return &scanner{opt: opt, emit: emit}
}

// row takes one record. Until the header is known it buffers records, up
// to ten, looking for the titles.
func (s *scanner) row(ctx context.Context, rec []string, line int) error {
	if !s.started {
		if allBlank(trimAll(rec)) {
			return nil // blank lines above the titles are not rows
		}
		if len(s.preview) < 10 {
			s.preview = append(s.preview, trimAll(rec))
			s.lines = append(s.lines, line)
		}
		if s.opt.Mapping != nil {
			s.mapping = *s.opt.Mapping
			s.started = true
			s.stats.OpenIDColumn, s.stats.UnionIDColumn = s.mapping.OpenID, s.mapping.UnionID
			if s.mapping.HeaderRow >= 0 {
				if len(s.preview)-1 < s.mapping.HeaderRow {
					s.started = false
					return nil
				}
				s.stats.Header = s.preview[s.mapping.HeaderRow]
				for i, r := range s.preview[s.mapping.HeaderRow+1:] {
					if err := s.data(r, s.lines[s.mapping.HeaderRow+1+i]); err != nil {
						return err
					}
				}
				return nil
			}
			for i, r := range s.preview {
				if err := s.data(r, s.lines[i]); err != nil {
					return err
				}
			}
			return nil
		}
		if o, u, ok := detectHeader(s.preview[len(s.preview)-1]); ok {
			s.started = true
			s.mapping = Mapping{OpenID: o, UnionID: u, HeaderRow: len(s.preview) - 1}
			s.stats.Header = s.preview[len(s.preview)-1]
			s.stats.OpenIDColumn, s.stats.UnionIDColumn = o, u
			return nil
		}
		if len(s.preview) >= 10 {
			return &Error{Kind: KindNoHeader, Detail: "no openid column in the first 10 rows", Preview: s.preview}
		}
		return nil
	}
	if s.stats.Rows%4096 == 0 && ctx.Err() != nil {
		return ctx.Err()
	}
	return s.data(trimAll(rec), line)
}

func (s *scanner) data(rec []string, line int) error {
	cell := func(i int) []byte {
		if i < 0 || i >= len(rec) {
			return nil
		}
		return []byte(rec[i])
	}
	if allBlank(rec) {
		s.blankLine(line)
		return nil
	}
	return s.add(cell(s.mapping.OpenID), cell(s.mapping.UnionID), line)
}

func (s *scanner) blankLine(line int) {
	s.stats.BlankLines++
	s.stats.note(ReasonBlankLine, line, false)
}

// dataBytes takes one CSV record once the columns are known, converting
// only the two cells it keeps.
func (s *scanner) dataBytes(ctx context.Context, rec [][]byte, line int) error {
	if s.stats.Rows%4096 == 0 && ctx.Err() != nil {
		return ctx.Err()
	}
	blank := true
	for _, c := range rec {
		if len(trimCell(c)) > 0 {
			blank = false
			break
		}
	}
	if blank {
		s.blankLine(line)
		return nil
	}
	cell := func(i int) []byte {
		if i < 0 || i >= len(rec) {
			return nil
		}
		return trimCell(rec[i])
	}
	return s.add(cell(s.mapping.OpenID), cell(s.mapping.UnionID), line)
}

// skipRow counts a row skipped whole for reason: a line or cell too long
// to be part of an export, bytes the file's encoding cannot read.
func (s *scanner) skipRow(line int, reason string) error {
	if !s.started {
		return &Error{Kind: KindUnreadable, Line: line, Detail: fmt.Sprintf("line %d: %s before the titles", line, reason)}
	}
	s.stats.Rows++
	if s.stats.Rows > s.opt.MaxRows {
		return &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("more than %d rows", s.opt.MaxRows)}
	}
	if reason == ReasonTooLong {
		s.stats.LineTooLong++
	}
	s.stats.note(reason, line, true)
	return nil
}

func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// trimCell drops what spreadsheets and hand edits leave around an id,
// including Excel's text-forcing formula ="…".
func trimCell(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > 2 && b[0] == '=' && (b[1] == '"' || b[1] == '\'') {
		b = b[1:]
	}
	return bytes.TrimSpace(bytes.Trim(b, "\ufeff\"'`\t "))
}

func (s *scanner) flush() error {
	if len(s.batch) == 0 || s.emit == nil {
		s.batch = s.batch[:0]
		return nil
	}
	err := s.emit(s.batch)
	s.batch = make([]User, 0, s.opt.Batch)
	return err
}

// finish reports a file that never reached a header or data.
func (s *scanner) finish() (Stats, error) {
	if !s.started {
		if len(s.preview) == 0 {
			return s.stats, &Error{Kind: KindEmpty, Detail: "the file has no rows"}
		}
		return s.stats, &Error{Kind: KindNoHeader, Detail: "no openid column found", Preview: s.preview}
	}
	if err := s.flush(); err != nil {
		return s.stats, err
	}
	if s.stats.Rows == 0 {
		return s.stats, &Error{Kind: KindEmpty, Detail: "the file has titles but no rows"}
	}
	return s.stats, nil
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = string(trimCell([]byte(c)))
	}
	return out
}

func allBlank(rec []string) bool {
	for _, c := range rec {
		if c != "" {
			return false
		}
	}
	return true
}
