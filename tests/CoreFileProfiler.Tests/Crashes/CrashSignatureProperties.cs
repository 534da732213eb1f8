using CoreFileProfiler.Grains.Crashes;
using CsCheck;

namespace CoreFileProfiler.Tests.Crashes;

/// <summary>One bug, one signature: whatever changes from crash to crash (addresses, lines, the runtime's frames) does not count; the program's functions do.</summary>
public sealed class CrashSignatureProperties
{
    private static readonly Gen<string> Names = Gen.String[Gen.Char.AlphaNumeric, 1, 24].Select(name => "f_" + name);

    private static readonly Gen<CrashFrame> ProgramFrames =
        Gen.Select(Names, Gen.Int[1, 5000], Gen.ULong[0, 1UL << 40], (function, line, offset) => new CrashFrame(function, "app.c", line, "app", offset));

    // What sits between the program and the kernel in a crash: the C library, abort and signals' machinery.
    private static readonly CrashFrame[] Runtime =
    [
        new CrashFrame("__pthread_kill_implementation", "pthread_kill.c", 44, "libc.so.6", 0x8eebc),
        new CrashFrame("raise", "raise.c", 26, "libc.so.6", 0x3ffb2),
        new CrashFrame("abort", "abort.c", 79, "libc.so.6", 0x28472),
        new CrashFrame("__GI___assert_fail", null, null, "crasher", 0x4010),
        new CrashFrame("<signal handler called>", null, null, null),
        new CrashFrame(null, null, null, "libc.so.6", 0x1234),
    ];

    private static readonly Gen<CrashFrame> RuntimeFrames = Gen.Int[0, Runtime.Length - 1].Select(i => Runtime[i]);

    private static readonly Gen<CrashFrame[]> Stacks = ProgramFrames.Array[1, 12];

    [Fact]
    public void Other_lines_addresses_and_files_of_the_same_functions_give_the_same_signature() =>
        Gen.Select(Stacks, Gen.Int[1, 9999], Gen.ULong).Sample((stack, line, shift) =>
        {
            var elsewhere = stack.Select(f => f with { Line = line, Offset = f.Offset + shift, File = "moved/app.c" });
            Assert.Equal(CrashSignature.Of("ab12", "/app", stack), CrashSignature.Of("ab12", "/app", elsewhere));
        }, iter: 2_000);

    [Fact]
    public void The_runtimes_frames_anywhere_in_the_stack_change_nothing() =>
        Gen.Select(Stacks, RuntimeFrames.Array[1, 6], Gen.Int[0, 12]).Sample((stack, runtime, at) =>
        {
            var withRuntime = stack.Take(at).Concat(runtime).Concat(stack.Skip(at));
            Assert.Equal(CrashSignature.Of(null, "/app", stack), CrashSignature.Of(null, "/app", withRuntime));
        }, iter: 2_000);

    [Fact]
    public void Another_function_in_the_top_frames_or_another_program_is_another_signature() =>
        Gen.Select(Stacks, Gen.Int[0, CrashSignature.Frames - 1], Names).Sample((stack, at, other) =>
        {
            if (at >= stack.Length || stack[at].Function == other) return;
            var changed = stack.Select((f, i) => i == at ? f with { Function = other } : f).ToArray();
            Assert.NotEqual(CrashSignature.Of("ab12", "/app", stack), CrashSignature.Of("ab12", "/app", changed));
            Assert.NotEqual(CrashSignature.Of("ab12", "/app", stack), CrashSignature.Of("cd34", "/app", stack));
        }, iter: 2_000);

    [Fact]
    public void A_signature_is_sixteen_hex_digits_and_the_build_id_outweighs_the_path() =>
        Gen.Select(Stacks, Names).Sample((stack, path) =>
        {
            var signature = CrashSignature.Of("ab12", "/" + path, stack);
            Assert.Matches("^[0-9a-f]{16}$", signature);
            Assert.Equal(CrashSignature.Of("ab12", "/elsewhere", stack), signature); // one build, any path (another pod's image layout)
        }, iter: 500);
}
