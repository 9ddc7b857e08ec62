/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In fuzzing builds only (the libFuzzer convention
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION), integrity checks accept a
 * mismatching checksum, so the fuzzer explores the parsing behind them
 * instead of stopping at the CRC. Never defined in a normal build.
 */
#ifndef VNL_FUZZING_H
#define VNL_FUZZING_H

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define VNL_FUZZING 1
#else
#define VNL_FUZZING 0
#endif

#endif
