package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// problemLines are the rows not imported, by reason with their lines, then
// the rows imported without their unionid: each count as the JSON report
// has it.
func problemLines(s flow.ImportStats) []string {
	var skipped, kept []string
	for _, reason := range flow.ImportReasons {
		for _, pr := range s.Problems {
			if pr.Reason != reason {
				continue
			}
			line := Tf("sdk.problem", map[string]any{"Reason": T("sdk.reason." + reason), "Rows": pr.Rows, "Lines": lineList(pr.Lines, pr.Rows)})
			if pr.Skipped || reason == flow.ImportReasonBlankLine {
				skipped = append(skipped, line)
			} else {
				kept = append(kept, line)
			}
		}
	}
	var out []string
	if len(skipped) > 0 {
		out = append(append(out, Tf("sdk.problems", map[string]any{"Skipped": s.Skipped})), skipped...)
	}
	if len(kept) > 0 {
		out = append(append(out, T("sdk.problems.kept")), kept...)
	}
	return out
}

// lineList writes line numbers as the language lists them, saying when
// there are more than those listed.
func lineList(lines []int, total int) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = fmt.Sprint(l)
	}
	text := strings.Join(parts, T("sdk.lines.sep"))
	if total > len(lines) {
		text = Tf("sdk.lines.more", map[string]any{"Lines": text})
	}
	return text
}

// importErrorText is errorText, with the line named when the file is at
// fault on one line.
func importErrorText(err error) string {
	var ie *flow.ImportError
	if errors.As(err, &ie) && ie.Line > 0 && ie.Kind == flow.ImportUnreadable {
		return Tf("sdk.error.line", map[string]any{"Line": ie.Line})
	}
	return errorText(err)
}

// askSheet lets the admin name the sheet to read when two qualify.
func (p *sdkPage) askSheet(sheets []flow.ImportSheet, m *flow.ImportMapping) {
	var options []string
	for _, sh := range sheets {
		options = append(options, Tf("sdk.sheet.option_whole", map[string]any{"Name": sh.Name, "IDs": flow.Count(sh.IDs), "Rows": flow.Count(sh.Rows)}))
	}
	choice := widget.NewRadioGroup(options, nil)
	form := []*widget.FormItem{widget.NewFormItem("", newTextBlock(T("sdk.sheet.intro"))), widget.NewFormItem("", choice)}
	dialog.ShowForm(T("sdk.sheet.title"), T("sdk.sheet.ok"), T("sdk.map.cancel"), form, func(ok bool) {
		for i, o := range options {
			if ok && o == choice.Selected {
				p.sheet = sheets[i].Name
				p.start(m)
			}
		}
	}, p.a.win)
}

// lockedText says what holds the data file when that is known, and
// otherwise makes no guess.
func lockedText(err error) string {
	if t, ok := flow.LockText(err); ok {
		return text(t)
	}
	return T("error.store.in_use")
}
