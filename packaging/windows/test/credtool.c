/*
 * Test scaffolding only, never shipped: writes and counts Credential
 * Manager entries so the smoke test can check which tokens the uninstaller
 * forgets. Entries are generic credentials, as the wizard's keychain files
 * them ("oawizard:<key>").
 *   credtool write TARGET   add a generic credential named TARGET
 *   credtool count FILTER   print how many match FILTER (e.g. "oawizard:*")
 */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
	if (argc == 3 && wcscmp(argv[1], L"write") == 0) {
		CREDENTIALW c = {0};
		static BYTE blob[] = "test-token";
		c.Type = CRED_TYPE_GENERIC;
		c.TargetName = argv[2];
		c.UserName = argv[2];
		c.CredentialBlobSize = sizeof blob - 1;
		c.CredentialBlob = blob;
		c.Persist = CRED_PERSIST_LOCAL_MACHINE;
		if (!CredWriteW(&c, 0)) {
			fprintf(stderr, "CredWriteW: error %lu\n", GetLastError());
			return 1;
		}
		return 0;
	}
	if (argc == 3 && wcscmp(argv[1], L"count") == 0) {
		DWORD n = 0;
		PCREDENTIALW *creds = NULL;
		if (CredEnumerateW(argv[2], 0, &n, &creds)) {
			CredFree(creds);
		} else if (GetLastError() != ERROR_NOT_FOUND) {
			fprintf(stderr, "CredEnumerateW: error %lu\n", GetLastError());
			return 1;
		}
		printf("%lu\n", n);
		return 0;
	}
	fprintf(stderr, "usage: credtool write TARGET | count FILTER\n");
	return 2;
}
