package sdkimport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/width"
)

// Scan reads an export from r. name is only used to tell formats apart when
// the content is ambiguous. Users are handed to emit in batches; Stats are
// complete when err is nil.
func Scan(ctx context.Context, r io.Reader, name string, opt Options, emit func([]User) error) (Stats, error) {
	opt.defaults()
	if opt.Size > opt.MaxBytes {
		// Refused before a byte is read.
		return Stats{}, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", opt.MaxBytes>>20)}
	}
	counted := &countingReader{r: r, max: opt.MaxBytes}
	br := bufio.NewReaderSize(counted, 64<<10)
	head, perr := br.Peek(64 << 10)
	if len(head) == 0 {
		if errors.Is(perr, syscall.EISDIR) {
			return Stats{}, &Error{Kind: KindFolder, Detail: "this is a folder, not a file"}
		}
		if perr != nil && perr != io.EOF {
			return Stats{}, &Error{Kind: KindUnreadable, Detail: perr.Error()}
		}
		return Stats{}, &Error{Kind: KindEmpty, Detail: "the file is empty"}
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return scanXLSX(ctx, br, counted, opt, emit)
	}
	if kind := sniffBinary(head); kind != "" {
		return Stats{}, &Error{Kind: KindBinary, Detail: kind}
	}
	var text io.Reader = br
	format := "csv-utf8"
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		format = "csv-utf8-bom"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		// Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
		text = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
		format = "csv-utf16"
	case !utf8.Valid(trimPartialRune(head)):
		// What Excel on Chinese Windows writes.
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		format = "csv-gbk"
	}
	s := newScanner(opt, emit)
	s.stats.Format = format
	tr := br
	if text != io.Reader(br) {
		tr = bufio.NewReaderSize(text, 64<<10)
	}
	sample, _ := tr.Peek(16 << 10)
	comma := sniffDelimiter(string(sample))
	if format == "csv-utf16" && comma == ',' && bytes.IndexByte(sample, '\t') >= 0 {
		comma = '\t'
	}
	eol := byte('\n')
	if bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') >= 0 {
		eol = '\r' // classic Mac OS line endings
	}
	return s.scanCSV(ctx, newCSVReader(tr, byte(comma), eol), counted)
}

// scanCSV is the record loop of a text export.
func (s *scanner) scanCSV(ctx context.Context, cr *csvReader, counted *countingReader) (Stats, error) {
	var strs []string
	for {
		rec, line, err := cr.Read()
		if err == io.EOF {
			break
		}
		switch {
		case errors.Is(err, errTooLarge):
			return s.stats, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", s.opt.MaxBytes>>20)}
		case errors.Is(err, errTooLong):
			if err := s.skipLine(line); err != nil {
				return s.stats, err
			}
			continue
		case err != nil:
			return s.stats, &Error{Kind: KindUnreadable, Detail: err.Error()}
		}
		if s.started {
			err = s.dataBytes(ctx, rec)
		} else {
			strs = strs[:0]
			for _, f := range rec {
				strs = append(strs, string(f))
			}
			err = s.row(ctx, strs)
		}
		if err != nil {
			return s.stats, err
		}
		if s.opt.Progress != nil && s.stats.Rows%10000 == 0 && s.stats.Rows > 0 {
			s.opt.Progress(counted.n, s.stats.Rows)
		}
	}
	s.stats.UnclosedQuotes, s.stats.UnclosedQuoteLines = cr.unclosed, cr.Unclosed
	if s.opt.Progress != nil {
		s.opt.Progress(counted.n, s.stats.Rows)
	}
	return s.finish()
}

func scanXLSX(ctx context.Context, br io.Reader, counted *countingReader, opt Options, emit func([]User) error) (Stats, error) {
	f, err := excelize.OpenReader(br, excelize.Options{UnzipSizeLimit: 4 * opt.MaxBytes})
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return Stats{}, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", opt.MaxBytes>>20)}
		}
		return Stats{}, &Error{Kind: KindUnreadable, Detail: "the workbook cannot be opened (broken or password-protected)"}
	}
	defer f.Close()
	s := newScanner(opt, emit)
	s.stats.Format = "xlsx"
	// The export may sit on any sheet (a note often comes first): the sheet
	// whose first rows hold an openid title is used; without one, the first
	// sheet with content is offered for a manual mapping.
	var firstPreview [][]string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			continue
		}
		if !s.started {
			if firstPreview == nil && len(s.preview) > 0 {
				firstPreview = s.preview
			}
			s.preview = nil
		}
		for rows.Next() {
			rec, err := rows.Columns()
			if err != nil {
				rows.Close()
				return s.stats, &Error{Kind: KindUnreadable, Detail: "a sheet cannot be read"}
			}
			if err := s.row(ctx, rec); err != nil {
				var ie *Error
				if errors.As(err, &ie) && ie.Kind == KindNoHeader && s.opt.Mapping == nil {
					break // no titles in this sheet's first rows: try the next
				}
				rows.Close()
				return s.stats, err
			}
			if opt.Progress != nil && s.stats.Rows%10000 == 0 {
				opt.Progress(counted.n, s.stats.Rows)
			}
		}
		rows.Close()
		if s.started || (s.opt.Mapping != nil && len(s.preview) > 0) {
			break
		}
	}
	if !s.started && firstPreview != nil {
		s.preview = firstPreview
	}
	if s.opt.Progress != nil {
		s.opt.Progress(counted.n, s.stats.Rows)
	}
	return s.finish()
}

var errTooLarge = errors.New("file too large")

type countingReader struct {
	r      io.Reader
	n, max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooLarge
	}
	return n, err
}

// trimPartialRune drops a multi-byte character cut by the peek window.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

func sniffBinary(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")), bytes.HasPrefix(head, []byte("GIF8")):
		return "an image"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return "an old Excel (.xls) or Word file"
	case bytes.HasPrefix(head, []byte("\x1F\x8B")), bytes.HasPrefix(head, []byte("Rar!")), bytes.HasPrefix(head, []byte("7z\xBC\xAF")):
		return "an archive"
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return ""
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "not a text file"
	}
	return ""
}

// sniffDelimiter picks the separator used most consistently in the sample.
func sniffDelimiter(sample string) rune {
	lines := strings.Split(sample, "\n")
	if len(lines) > 20 {
		lines = lines[:20]
	}
	best, bestScore := ',', -1
	for _, d := range []rune{',', '\t', ';', '|'} {
		score := 0
		for _, l := range lines {
			if strings.ContainsRune(l, d) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// Header detection. Titles are normalised (full-width to half-width, case,
// spaces, underscores, hyphens, a leading 微信/用户/wx) before matching.
func normalise(h string) string {
	h = width.Fold.String(strings.TrimSpace(h))
	h = strings.ToLower(h)
	h = strings.NewReplacer(" ", "", "_", "", "-", "", ".", "", "（", "(", "）", ")").Replace(h)
	for _, p := range []string{"微信", "用户", "wechat", "weixin", "wx", "user"} {
		h = strings.TrimPrefix(h, p)
	}
	return h
}

func detectHeader(rec []string) (openCol, unionCol int, ok bool) {
	openCol, unionCol = -1, -1
	for i, c := range rec {
		switch normalise(c) {
		case "openid", "openid(小程序)", "小程序openid", "mpopenid", "miniopenid":
			if openCol < 0 {
				openCol = i
			}
		case "unionid":
			if unionCol < 0 {
				unionCol = i
			}
		}
	}
	return openCol, unionCol, openCol >= 0
}
