/*
 * Test scaffolding only, never shipped. Go programs since Go 1.22 read
 * random bytes through bcryptprimitives.dll!ProcessPrng, which Windows 10
 * and later have but Debian's Wine 8.0 lacks (Wine added it in 8.13). The
 * smoke test puts this stand-in into its throwaway Wine prefix so the real
 * wizard.exe can start; it answers with advapi32's RtlGenRandom
 * (SystemFunction036), which Wine does have.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	/* RtlGenRandom takes a ULONG length: feed larger requests in pieces. */
	while (size > 0) {
		ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		size -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance; (void)reason; (void)reserved;
	return TRUE;
}
