; The wizard's Windows installer: a per-user install that needs no
; administrator rights (admins of an Official Account are rarely admins of
; their PC), a Start-menu shortcut, and an uninstaller listed under
; Settings → Apps that keeps the admin's results unless asked to remove them.
;
; scripts/package.sh builds it with makensis and defines:
;   EXE      the signed wizard.exe to install
;   ICON     assets/icon/icon.ico
;   VERSION  e.g. 0.4.0, and VERSION4 as 0.4.0.0 for the version resource
;   OUTFILE  where the installer goes
;   SIGN     optional: a command that signs the file named after it in place
;
; Silent use: setup.exe /S installs; uninstall.exe /S removes the program and
; keeps the data; uninstall.exe /S /REMOVEDATA removes the data too.

Unicode true
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!include MUI2.nsh
!include LogicLib.nsh
!include WinVer.nsh
!include FileFunc.nsh

!define PRODUCT "公众号数据集成向导"
!define PRODUCT_EN "Official Account data integration wizard"
!define PUBLISHER "oawizard"
!define APPEXE "oawizard.exe"
!define SHORTCUT "$SMPROGRAMS\${PRODUCT}.lnk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\oawizard"
; Where the wizard keeps its results (os.UserConfigDir) and Fyne its
; preferences; both are the admin's data, not the program's.
!define DATADIR "$APPDATA\oawizard"
!define FYNEDIR "$APPDATA\fyne\com.oawizard.setup"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\oawizard"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

!ifdef SIGN
!finalize '${SIGN} "%1"'
!uninstfinalize '${SIGN} "%1"'
!endif

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT} / ${PRODUCT_EN}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} 安装程序 / Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APPEXE}"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default when Windows speaks neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString NeedsWin10 ${LANG_SIMPCHINESE} "${PRODUCT} 需要 Windows 10 或更高版本，无法在此版本的 Windows 上安装。$\r$\n$\r$\n${PRODUCT_EN} needs Windows 10 or later; it cannot be installed on this version of Windows."
LangString NeedsWin10 ${LANG_ENGLISH} "${PRODUCT_EN} needs Windows 10 or later; it cannot be installed on this version of Windows.$\r$\n$\r$\n${PRODUCT} 需要 Windows 10 或更高版本，无法在此版本的 Windows 上安装。"
LangString StillRunning ${LANG_SIMPCHINESE} "${PRODUCT} 仍在运行。请先关闭它，然后重试。"
LangString StillRunning ${LANG_ENGLISH} "The wizard is still running. Please close it and try again."
LangString SecProgram ${LANG_SIMPCHINESE} "程序和开始菜单快捷方式"
LangString SecProgram ${LANG_ENGLISH} "The program and its Start-menu shortcut"
LangString SecData ${LANG_SIMPCHINESE} "同时删除我的数据（检查结果、同步的粉丝、设置）"
LangString SecData ${LANG_ENGLISH} "Also remove my data (check results, synced followers, settings)"

; Go's runtime needs Windows 10 (bcryptprimitives.dll!ProcessPrng): on
; older Windows the program would die at start with a cryptic message, so
; the installer says so plainly instead.
!macro RefuseOldWindows
	${IfNot} ${AtLeastWin10}
		MessageBox MB_OK|MB_ICONSTOP "$(NeedsWin10)" /SD IDOK
		SetErrorLevel 3
		Quit
	${EndIf}
!macroend

Function .onInit
	!insertmacro RefuseOldWindows
FunctionEnd

Section "Install"
	SetOutPath "$INSTDIR"
	ClearErrors
	File "/oname=${APPEXE}" "${EXE}"
	${If} ${Errors}
		MessageBox MB_OK|MB_ICONSTOP "$(StillRunning)" /SD IDOK
		SetErrorLevel 4
		Quit
	${EndIf}
	WriteUninstaller "$INSTDIR\uninstall.exe"
	CreateShortcut "${SHORTCUT}" "$INSTDIR\${APPEXE}" "" "$INSTDIR\${APPEXE}" 0 SW_SHOWNORMAL "" "${PRODUCT_EN}"

	WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${APPEXE},0"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "un.$(SecProgram)" SecProgramID
	SectionIn RO
	ClearErrors
	Delete "$INSTDIR\${APPEXE}"
	${If} ${Errors}
		MessageBox MB_OK|MB_ICONSTOP "$(StillRunning)" /SD IDOK
		SetErrorLevel 4
		Quit
	${EndIf}
	Delete "${SHORTCUT}"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd

; Unticked by default: an admin reinstalling or upgrading keeps the results.
Section /o "un.$(SecData)" SecDataID
	RMDir /r "${DATADIR}"
	RMDir /r "${FYNEDIR}"
	RMDir "$APPDATA\fyne"
	Call un.ForgetTokens
SectionEnd

; The connector tokens saved in Settings live in the Credential Manager as
; generic credentials named "oawizard:<key>" (go-keyring's naming); removing
; the admin's data removes them too, and nothing else.
Function un.ForgetTokens
	System::Call 'advapi32::CredEnumerateW(w "oawizard:*", i 0, *i .r1, *p .r2) i .r0'
	${If} $0 = 0
		Return
	${EndIf}
	StrCpy $3 0
	${DoWhile} $3 < $1
		IntPtrOp $4 $3 * 8
		IntPtrOp $4 $2 + $4
		System::Call '*$4(p .r5)'
		; CREDENTIALW: DWORD Flags, DWORD Type, LPWSTR TargetName, ...
		System::Call '*$5(i, i .r6, w .r7)'
		System::Call 'advapi32::CredDeleteW(w r7, i r6, i 0)'
		IntOp $3 $3 + 1
	${Loop}
	System::Call 'advapi32::CredFree(p r2)'
FunctionEnd

Function un.onInit
	!insertmacro RefuseOldWindows
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/REMOVEDATA" $1
	${IfNot} ${Errors}
		SectionSetFlags ${SecDataID} ${SF_SELECTED}
	${EndIf}
FunctionEnd
