//go:build !purego

#include "textflag.h"

// func structBlocksAVX2(p *byte, n int, st *blockState) (end, next int)
//
// Registers: SI p, DX n, CX block offset, R8 depth, R9 in-string carry
// (0 or -1), R10 too deep, R11 max depth, R14 firstLeft (1 while the
// first close bracket that takes the depth to 1 is sought, the floor a
// block's closes must not reach for them to be counted, else 0); Y10-Y14
// the bytes '"', '\\', 0x20, '{', '}' broadcast; X9 all ones for the
// prefix XOR.
TEXT ·structBlocksAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), DX
	MOVQ st+16(FP), DI
	MOVQ 0(DI), R8
	MOVQ 8(DI), R9
	MOVQ 16(DI), R10
	MOVQ 24(DI), R11
	MOVQ 32(DI), R14

	MOVL         $0x22222222, AX
	VMOVD         AX, X10
	VPBROADCASTD X10, Y10
	MOVL         $0x5c5c5c5c, AX
	VMOVD         AX, X11
	VPBROADCASTD X11, Y11
	MOVL         $0x20202020, AX
	VMOVD         AX, X12
	VPBROADCASTD X12, Y12
	MOVL         $0x7b7b7b7b, AX
	VMOVD         AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x7d7d7d7d, AX
	VMOVD         AX, X14
	VPBROADCASTD X14, Y14
	MOVQ         $-1, AX
	VMOVQ        AX, X9
	XORQ         CX, CX

loop:
	LEAQ 64(CX), AX
	CMPQ AX, DX
	JA   stop

	VMOVDQU (SI)(CX*1), Y0
	VMOVDQU 32(SI)(CX*1), Y1

	// A backslash: the slow path takes this block.
	VPCMPEQB Y0, Y11, Y2
	VPCMPEQB Y1, Y11, Y3
	VPOR     Y2, Y3, Y4
	VPTEST   Y4, Y4
	JNZ      stop

	// Quotes, and the in-string mask: their prefix XOR, carried over.
	VPCMPEQB   Y0, Y10, Y2
	VPMOVMSKB  Y2, AX
	VPCMPEQB   Y1, Y10, Y3
	VPMOVMSKB  Y3, BX
	SHLQ       $32, BX
	ORQ        BX, AX
	VMOVQ      AX, X5
	VPCLMULQDQ $0, X9, X5, X5
	VMOVQ      X5, AX
	XORQ       R9, AX
	MOVQ       AX, R9
	SARQ       $63, R9

	// Brackets outside strings: '[' and '{' are 0x5b and 0x7b, ']' and
	// '}' 0x5d and 0x7d; OR 0x20 makes each pair one byte.
	VPOR      Y0, Y12, Y4
	VPOR      Y1, Y12, Y5
	VPCMPEQB  Y4, Y13, Y6
	VPMOVMSKB Y6, BX
	VPCMPEQB  Y5, Y13, Y7
	VPMOVMSKB Y7, R12
	SHLQ      $32, R12
	ORQ       R12, BX
	ANDNQ     BX, AX, BX
	VPCMPEQB  Y4, Y14, Y6
	VPMOVMSKB Y6, R12
	VPCMPEQB  Y5, Y14, Y7
	VPMOVMSKB Y7, R13
	SHLQ      $32, R13
	ORQ       R13, R12
	ANDNQ     R12, AX, R12
	MOVQ      BX, R13
	ORQ       R12, R13
	JZ        next

	// When the closes cannot bring the depth to the floor (0, or 1 while
	// the first nested value's end is sought) and the opens cannot take
	// it past the limit, count them.
	POPCNTQ R12, AX
	LEAQ    (AX)(R14*1), DI
	CMPQ    R8, DI
	JLE     bits
	POPCNTQ BX, DI
	ADDQ    R8, DI
	CMPQ    DI, R11
	JG      bits
	SUBQ    AX, DI
	MOVQ    DI, R8
	JMP     next

	// Else follow them one by one.
bits:
	TZCNTQ R13, AX
	BTQ    AX, BX
	JCC    close
	INCQ   R8
	CMPQ   R8, R11
	JLE    nextbit
	MOVQ   $1, R10
	JMP    nextbit

close:
	DECQ R8
	JZ   found
	CMPQ R8, R14 // depth 1 while sought (R14 1); never 0 here
	JEQ  first

nextbit:
	BLSRQ R13, R13
	JNZ   bits

next:
	ADDQ $64, CX
	JMP  loop

	// The first close bracket that takes the depth to 1: the end of the
	// first nested value.
first:
	LEAQ 1(CX)(AX*1), R14
	MOVQ st+16(FP), DI
	MOVQ R14, 40(DI)
	XORQ R14, R14
	MOVQ R14, 32(DI)
	JMP  nextbit

found:
	LEAQ 1(CX)(AX*1), AX
	MOVQ AX, end+24(FP)
	MOVQ AX, next+32(FP)
	JMP  save

stop:
	MOVQ $-1, end+24(FP)
	MOVQ CX, next+32(FP)

save:
	MOVQ st+16(FP), DI
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	VZEROUPPER
	RET

// The bytes structBlocksAVX512 compares with: '"', '\\', 0x20, '{', '}'.
DATA structBytes<>+0(SB)/8, $0x00007d7b205c22
GLOBL structBytes<>(SB), RODATA|NOPTR, $8

// func structBlocksAVX512(p *byte, n int, st *blockState) (end, next int)
//
// structBlocksAVX2's contract with AVX-512BW: one 64-byte load a block,
// its compares straight into mask registers (no VPMOVMSKB pairs), and
// the branch layout that favours a block whose brackets cannot end the
// value or go too deep (nearly every block, with brackets or without):
// its depth is counted with two POPCNTs on one predictable branch, and
// only the block that may end the value or pass the limit follows its
// brackets one by one (as does the block that may hold the first nested
// value's end). Registers as in structBlocksAVX2; Z10-Z14 the
// bytes '"', '\\', 0x20, '{', '}' broadcast.
TEXT ·structBlocksAVX512(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), DX
	MOVQ st+16(FP), DI
	MOVQ 0(DI), R8
	MOVQ 8(DI), R9
	MOVQ 16(DI), R10
	MOVQ 24(DI), R11
	MOVQ 32(DI), R14

	VPBROADCASTB structBytes<>+0(SB), Z10
	VPBROADCASTB structBytes<>+1(SB), Z11
	VPBROADCASTB structBytes<>+2(SB), Z12
	VPBROADCASTB structBytes<>+3(SB), Z13
	VPBROADCASTB structBytes<>+4(SB), Z14
	MOVQ         $-1, AX
	VMOVQ        AX, X9
	XORQ         CX, CX
	SUBQ         $64, DX // the last offset a whole block starts at
	JL           wstop

wloop:
	VMOVDQU64 (SI)(CX*1), Z0

	// A backslash: the slow path takes this block.
	VPCMPEQB Z0, Z11, K1
	KORTESTQ K1, K1
	JNZ      wstop

	// Quotes, brackets ('[' and '{' are 0x5b and 0x7b, ']' and '}' 0x5d
	// and 0x7d: OR 0x20 makes each pair one byte).
	VPCMPEQB Z0, Z10, K2
	VPORQ    Z0, Z12, Z4
	VPCMPEQB Z4, Z13, K3
	VPCMPEQB Z4, Z14, K4

	// The in-string mask: the quotes' prefix XOR, carried over.
	KMOVQ      K2, AX
	VMOVQ      AX, X5
	VPCLMULQDQ $0, X9, X5, X5
	VMOVQ      X5, AX
	XORQ       R9, AX
	MOVQ       AX, R9
	SARQ       $63, R9

	// Brackets outside strings: BX opens, R12 closes.
	KMOVQ K3, BX
	KMOVQ K4, R12
	ANDNQ BX, AX, BX
	ANDNQ R12, AX, R12

	// When the closes cannot bring the depth to the floor (R14) and the
	// opens cannot take it past the limit (a block without brackets
	// included), count them.
	POPCNTQ R12, AX
	POPCNTQ BX, DI
	LEAQ    (AX)(R14*1), R13
	CMPQ    R8, R13
	JLE     wslow
	ADDQ    R8, DI
	CMPQ    DI, R11
	JG      wslow
	SUBQ    AX, DI
	MOVQ    DI, R8

wnext:
	ADDQ $64, CX
	CMPQ CX, DX
	JLE  wloop
	JMP  wstop

	// Else follow them one by one.
wslow:
	MOVQ BX, R13
	ORQ  R12, R13
	JZ   wnext

wbits:
	TZCNTQ R13, AX
	BTQ    AX, BX
	JCC    wclose
	INCQ   R8
	CMPQ   R8, R11
	JLE    wnextbit
	MOVQ   $1, R10
	JMP    wnextbit

wclose:
	DECQ R8
	JZ   wfound
	CMPQ R8, R14
	JEQ  wfirst

wnextbit:
	BLSRQ R13, R13
	JNZ   wbits
	JMP   wnext

wfirst:
	LEAQ 1(CX)(AX*1), R14
	MOVQ st+16(FP), DI
	MOVQ R14, 40(DI)
	XORQ R14, R14
	MOVQ R14, 32(DI)
	JMP  wnextbit

wfound:
	LEAQ 1(CX)(AX*1), AX
	MOVQ AX, end+24(FP)
	MOVQ AX, next+32(FP)
	JMP  wsave

wstop:
	MOVQ $-1, end+24(FP)
	MOVQ CX, next+32(FP)

wsave:
	MOVQ st+16(FP), DI
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	VZEROUPPER
	RET
