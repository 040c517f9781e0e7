package sdkimport

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// workbook is an .xlsx read as a stream, in bounded memory whatever its
// size: the file is spooled to a temporary file for the zip's random
// access, the shared strings to another with only their offsets in memory,
// and every sheet is decoded token by token with no text run longer than
// maxRecord ever held (see capReader). A general-purpose library holds the
// whole file, and a cell's whole text, in memory: a 0.6 MB workbook whose
// one cell unzips to 600 MB took gigabytes.
type workbook struct {
	zr      *zip.Reader
	files   map[string]*zip.File
	sheets  []wbSheet
	strings *sharedStrings
	spool   *os.File
	// unzipMax bounds the XML unzipped from one part in one reading: a
	// zip bomb ends as too large, not as hours of decoding.
	unzipMax int64
}

type wbSheet struct{ name, state, part string }

func (s wbSheet) visible() bool { return s.state == "" || s.state == "visible" }

var errNotWorkbook = errors.New("sdkimport: not an Excel workbook")

// openWorkbook spools r and reads the workbook's sheet list and shared
// strings.
func openWorkbook(r io.Reader, unzipMax int64) (*workbook, error) {
	spool, err := os.CreateTemp("", "oawizard-xlsx-*")
	if err != nil {
		return nil, err
	}
	os.Remove(spool.Name()) // gone when closed, whatever happens
	wb := &workbook{spool: spool, files: map[string]*zip.File{}, unzipMax: unzipMax}
	n, err := io.Copy(spool, r)
	if err != nil {
		wb.close()
		return nil, err
	}
	if wb.zr, err = zip.NewReader(spool, n); err != nil {
		wb.close()
		return nil, errNotWorkbook
	}
	for _, f := range wb.zr.File {
		wb.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	rels, err := wb.relations("xl/_rels/workbook.xml.rels")
	if err == nil {
		err = wb.readSheets(rels)
	}
	if err == nil {
		part := "xl/sharedStrings.xml"
		if p, ok := rels["#sharedStrings"]; ok {
			part = p
		}
		wb.strings, err = wb.readSharedStrings(part)
	}
	if err != nil {
		wb.close()
		return nil, err
	}
	return wb, nil
}

func (wb *workbook) close() {
	if wb.strings != nil {
		wb.strings.close()
	}
	wb.spool.Close()
}

// part returns a part's bytes with its text runs capped and its size
// bounded.
func (wb *workbook) part(name string) (*capReader, io.Closer, error) {
	f, ok := wb.files[name]
	if !ok {
		return nil, nil, errNotWorkbook
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, errNotWorkbook
	}
	return &capReader{r: rc, budget: wb.unzipMax}, rc, nil
}

// open returns a small part's XML (the sheet list, the relations) for
// encoding/xml.
func (wb *workbook) open(name string) (*xml.Decoder, io.Closer, error) {
	r, c, err := wb.part(name)
	if err != nil {
		return nil, nil, err
	}
	d := xml.NewDecoder(r)
	d.Strict = false // a run cut by the cap may end in half an entity
	return d, c, nil
}

// openXML returns a sheet's or the shared strings' XML for the reader
// that allocates nothing per cell.
func (wb *workbook) openXML(name string) (*xmlReader, io.Closer, error) {
	r, c, err := wb.part(name)
	if err != nil {
		return nil, nil, err
	}
	return newXMLReader(r), c, nil
}

// relations maps a relationship id to the part it names, and
// "#sharedStrings" to the shared strings part.
func (wb *workbook) relations(part string) (map[string]string, error) {
	d, c, err := wb.open(part)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[string]string{}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, errNotWorkbook
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "Relationship" {
			target := attr(el, "Target")
			if strings.HasPrefix(target, "/") {
				target = strings.TrimPrefix(target, "/")
			} else {
				target = path.Join("xl", target)
			}
			out[attr(el, "Id")] = target
			if strings.HasSuffix(attr(el, "Type"), "/sharedStrings") {
				out["#sharedStrings"] = target
			}
		}
	}
}

func (wb *workbook) readSheets(rels map[string]string) error {
	d, c, err := wb.open("xl/workbook.xml")
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errNotWorkbook
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "sheet" {
			var id string
			for _, a := range el.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					id = a.Value
				}
			}
			wb.sheets = append(wb.sheets, wbSheet{name: attr(el, "name"), state: attr(el, "state"), part: rels[id]})
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// rows hands each row of a sheet to each with its row number; a row whose
// cells hold more than maxRecord bytes comes with tooLong and no cells. The
// cells are slices of one buffer reused from row to row: each must not keep
// them.
func (wb *workbook) rows(part string, each func(line int, rec [][]byte, tooLong bool) error) error {
	x, c, err := wb.openXML(part)
	if err != nil {
		return err
	}
	defer c.Close()
	var (
		row       sheetRow
		line, col int
		shared    bool // the cell's text is a shared string's index
		inRPh     bool
	)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok {
		case xmlStart:
			switch string(x.name) {
			case "row":
				line++
				if n, ok := atoi(x.attr("r")); ok {
					line = n
				}
				row.reset()
				col = 0
			case "c":
				if ref := x.attr("r"); len(ref) > 0 {
					col = columnIndex(ref)
				}
				shared = string(x.attr("t")) == "s"
				x.text, x.long = x.text[:0], false
			case "v", "t":
				x.keep = !inRPh
			case "rPh":
				inRPh = true // a reading aid, not the cell's text
			}
		case xmlEnd:
			switch string(x.name) {
			case "v", "t":
				x.keep = false
			case "rPh":
				inRPh = false
			case "c":
				row.add(col, x, shared, wb.strings)
				col++
			case "row":
				if err := each(line, row.record(), row.tooLong); err != nil {
					return err
				}
			}
		}
	}
}

// sheetRow gathers a row's cells in one buffer reused from row to row.
type sheetRow struct {
	cells   []byte // the cells, one after another
	ends    []int  // where each ends in cells
	rec     [][]byte
	tooLong bool
}

func (r *sheetRow) reset() {
	r.cells, r.ends, r.tooLong = r.cells[:0], r.ends[:0], false
}

// add puts the cell just read at column col: its text, or the shared
// string its text names.
func (r *sheetRow) add(col int, x *xmlReader, shared bool, ss *sharedStrings) {
	if col >= maxColumns || r.tooLong {
		return
	}
	for len(r.ends) < col {
		r.ends = append(r.ends, len(r.cells))
	}
	long := x.long
	if shared {
		r.cells, long = ss.appendTo(r.cells, x.text)
	} else {
		r.cells = append(r.cells, x.text...)
	}
	if long || len(r.cells) > maxRecord {
		r.tooLong = true
	}
	r.ends = append(r.ends, len(r.cells))
}

// record is the row's cells, none when the row is too long.
func (r *sheetRow) record() [][]byte {
	r.rec = r.rec[:0]
	if r.tooLong {
		return r.rec
	}
	from := 0
	for _, e := range r.ends {
		r.rec = append(r.rec, r.cells[from:e:e])
		from = e
	}
	return r.rec
}

// atoi reads a row number or a shared string's index.
func atoi(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// maxColumns is Excel's own limit (XFD); cells past it are no export's.
const maxColumns = 16384

// columnIndex is the 0-based column of a reference such as "AB12".
func columnIndex(ref []byte) int {
	n := 0
	for _, c := range ref {
		switch {
		case 'A' <= c && c <= 'Z':
			n = n*26 + int(c-'A'+1)
		case 'a' <= c && c <= 'z':
			n = n*26 + int(c-'a'+1)
		default:
			return n - 1
		}
	}
	return n - 1
}

// capReader passes XML through, cutting any run of text after rawCap
// bytes where a character starts (so the cell reads as too long and is
// never held whole), refusing markup that long, and charging every byte to
// a budget (a zip bomb ends as too large).
// rawCap is a text run's cap before decoding. An entity such as &amp; is
// five bytes for one, so a run cut here still decodes to at least
// maxRecord bytes: a cut cell always reads as too long, never as a shorter
// cell.
const rawCap = 5*maxRecord + 16

type capReader struct {
	r      io.Reader
	budget int64
	inTag  bool
	run    int
	drop   bool
	buf    [32 << 10]byte
}

func (c *capReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(c.buf[:min(len(p), len(c.buf))])
		if c.budget -= int64(n); c.budget < 0 {
			return 0, errTooLarge
		}
		out := 0
		for _, b := range c.buf[:n] {
			switch {
			case c.drop && b != '<':
				continue
			case b == '<':
				c.drop, c.inTag, c.run = false, true, 0
			case c.inTag:
				if b == '>' {
					c.inTag, c.run = false, 0
				} else if c.run++; c.run > rawCap {
					return 0, fmt.Errorf("sdkimport: markup longer than %d bytes", rawCap)
				}
			default:
				// Cut at a character's first byte: the decoder refuses
				// half a UTF-8 sequence.
				if c.run++; c.run > rawCap && b&0xC0 != 0x80 {
					c.drop = true
					continue
				}
			}
			p[out] = b
			out++
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}
