package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"oawizard/assets"
)

// cjkFont is a subset of Droid Sans Fallback (GB2312 hanzi, Latin, symbols).
// Fyne's own font has no Chinese and falls back to system fonts, which a
// fresh Windows VM in English or a CI machine may not have.
var cjkFont = fyne.NewStaticResource("cjk-subset.ttf", assets.CJKFont)

// appTheme is Fyne's default theme with the bundled font and WeChat's green
// as the primary colour, always light: admins share this screen on calls
// and a QR code must stay dark on light to scan.
type appTheme struct{}

var green = color.NRGBA{R: 0x07, G: 0xc1, B: 0x60, A: 0xff}

func (appTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return color.NRGBA{R: 0x06, G: 0xa1, B: 0x52, A: 0xff}
	case theme.ColorNameFocus:
		return color.NRGBA{R: 0x07, G: 0xc1, B: 0x60, A: 0x60}
	case theme.ColorNameSelection:
		return color.NRGBA{R: 0x07, G: 0xc1, B: 0x60, A: 0x30}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (appTheme) Font(fyne.TextStyle) fyne.Resource { return cjkFont }

func (appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (appTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 14
	}
	return theme.DefaultTheme().Size(n)
}

// Status colours of the badges; each status also has its own symbol, so
// colour is never the only signal.
var (
	colPass    = color.NRGBA{R: 0x1a, G: 0x9c, B: 0x4b, A: 0xff}
	colWarn    = color.NRGBA{R: 0xd9, G: 0x77, B: 0x06, A: 0xff}
	colFail    = color.NRGBA{R: 0xd9, G: 0x3a, B: 0x2b, A: 0xff}
	colUnknown = color.NRGBA{R: 0x8a, G: 0x8f, B: 0x98, A: 0xff}
	colBusy    = color.NRGBA{R: 0x2f, G: 0x7d, B: 0xd6, A: 0xff}
	colSelf    = color.NRGBA{R: 0x6d, G: 0x5b, B: 0xc0, A: 0xff}
)

// failTheme paints the primary colour red: a progress bar of a sync that
// failed must not look like success.
type failTheme struct{ appTheme }

func (t failTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		return colFail
	}
	return t.appTheme.Color(n, v)
}
