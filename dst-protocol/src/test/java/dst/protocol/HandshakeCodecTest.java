package dst.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HELLO, WELCOME and ERROR survive HandshakeEncoder -> HandshakeDecoder, however the bytes arrive. */
class HandshakeCodecTest {
    private static final Hello HELLO = new Hello("disk0", Features.KNOWN, Features.CRC32C, 1 << 20, 0x1122334455667788L, "test 1.0");
    private static final ExportInfo INFO = new ExportInfo("disk0", 10L << 30, 4096, 4 << 20, true,
            Features.CRC32C | Features.FLUSH, 0x0102030405060708L, -42L, 1, 0x0B00_7000_0000_0001L);

    private static HandshakeFrame roundTrip(HandshakeFrame f) {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
        assertTrue(ch.writeInbound(Wire.handshake(f)));
        HandshakeFrame decoded = ch.readInbound();
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        return decoded;
    }

    @Test
    void helloRoundTrips() throws DstException {
        assertEquals(HELLO, Hello.fromFrame(roundTrip(HELLO.toFrame())));
    }

    @Test
    void attachRoundTripsAndAHelloWithoutItIsAnExclusiveWriter() throws DstException {
        Hello shared = Hello.fromFrame(roundTrip(HELLO.withAttach(Tlv.AttachFlags.SHARED).toFrame()));
        assertEquals(HELLO.withAttach(Tlv.AttachFlags.SHARED), shared);
        assertTrue(shared.shared());
        assertFalse(shared.readOnly());
        assertTrue(Hello.fromFrame(roundTrip(HELLO.withAttach(Tlv.AttachFlags.READ_ONLY).toFrame())).readOnly());
        HandshakeFrame.Builder older = HandshakeFrame.builder(HandshakeFrame.HELLO); // a client that predates ATTACH
        for (HandshakeFrame.Option o : HELLO.withAttach(Tlv.AttachFlags.SHARED).toFrame().options()) {
            if (o.tag() != Tlv.ATTACH) older.bytes(o.tag(), o.value());
        }
        Hello old = Hello.fromFrame(roundTrip(older.build()));
        assertEquals(0, old.attach(), "no ATTACH: 0, an exclusive writer");
        assertFalse(old.shared() || old.readOnly());
    }

    @Test
    void busyErrorCarriesTheHolder() {
        HandshakeFrame f = roundTrip(HandshakeFrame.builder(HandshakeFrame.ERROR).u32(Tlv.ERRNO, Errno.EBUSY)
                .string(Tlv.MESSAGE, "export 'd' is attached exclusive read-write by identity 'alice' from 10.0.0.5:41234")
                .string(Tlv.HOLDER, "alice@10.0.0.5:41234").build());
        assertEquals("alice@10.0.0.5:41234", f.string(Tlv.HOLDER).orElseThrow());
        DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(f));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("identity 'alice'"), e.getMessage());
    }

    @Test
    void welcomeRoundTrips() throws DstException {
        assertEquals(INFO, ExportInfo.fromWelcome(roundTrip(INFO.toWelcome())));
    }

    @Test
    void maxInFlightRoundTripsAndItsAbsenceMeansNoLimit() throws DstException {
        ExportInfo limited = new ExportInfo("d", 1 << 20, 512, 1 << 20, false, 0, 1, 1, 1, 7, 256);
        assertEquals(256, ExportInfo.fromWelcome(roundTrip(limited.toWelcome())).maxInFlight());
        assertEquals(0, ExportInfo.fromWelcome(roundTrip(INFO.toWelcome())).maxInFlight(), "an older server tells no limit");
        HandshakeFrame zero = HandshakeFrame.builder(HandshakeFrame.WELCOME).u64(Tlv.EXPORT_SIZE, 1 << 20).u32(Tlv.MAX_IN_FLIGHT, 0).build();
        DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(roundTrip(zero)));
        assertEquals(Errno.EPROTO, e.errno(), "a limit of 0 would let the client send nothing");
    }

    @Test
    void errorRoundTripsIntoTheDstExceptionItCarries() {
        HandshakeFrame f = roundTrip(HandshakeFrame.error(Errno.ENOENT, "no export named 'x'"));
        DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(f));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no export named 'x'"), e.getMessage());
    }

    @Test
    void frameDeliveredOneByteAtATimeDecodesOnce() throws DstException {
        byte[] wire = Wire.drain(Wire.handshake(HELLO.toFrame()));
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
        for (int i = 0; i < wire.length - 1; i++) {
            assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1)), "frame decoded early at byte " + i);
        }
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1)));
        assertEquals(HELLO, Hello.fromFrame(ch.readInbound()));
        assertFalse(ch.finish());
    }

    @Test
    void twoFramesInOneBufferDecodeInOrder() throws DstException {
        ByteBuf both = Unpooled.wrappedBuffer(Wire.handshake(HELLO.toFrame()), Wire.handshake(INFO.toWelcome()));
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeDecoder());
        ch.writeInbound(both);
        assertEquals(HELLO, Hello.fromFrame(ch.readInbound()));
        assertEquals(INFO, ExportInfo.fromWelcome(ch.readInbound()));
        assertFalse(ch.finish());
    }

    @Test
    void emptyBodyIsAValidFrame() {
        HandshakeFrame f = roundTrip(new HandshakeFrame(HandshakeFrame.CHALLENGE, List.of()));
        assertEquals(HandshakeFrame.CHALLENGE, f.type());
        assertTrue(f.options().isEmpty());
    }

    @Test
    void optionValuesAndTagsSurviveExactly() {
        byte[] big = new byte[60_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        HandshakeFrame f = roundTrip(HandshakeFrame.builder(HandshakeFrame.AUTH)
                .bytes(Tlv.PROOF | Tlv.CRITICAL, new byte[32])
                .bytes(0x7FFF, big)
                .bytes(0x1234, new byte[0])
                .build());
        assertEquals(3, f.options().size());
        assertEquals(Tlv.PROOF | Tlv.CRITICAL, f.options().get(0).tag());
        assertArrayEquals(new byte[32], f.bytes(Tlv.PROOF).orElseThrow());
        assertArrayEquals(big, f.bytes(0x7FFF).orElseThrow());
        assertEquals(0, f.bytes(0x1234).orElseThrow().length);
    }

    @Test
    void unknownNonCriticalOptionsAreSkipped() throws DstException {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.HELLO)
                .bytes(0x0777, new byte[]{1, 2, 3}); // unknown, before the known ones
        for (HandshakeFrame.Option o : HELLO.toFrame().options()) b.bytes(o.tag(), o.value());
        b.bytes(0x7ABC, new byte[100]);
        assertEquals(HELLO, Hello.fromFrame(roundTrip(b.build())));

        HandshakeFrame.Builder w = HandshakeFrame.builder(HandshakeFrame.WELCOME).string(0x4444, "future");
        for (HandshakeFrame.Option o : INFO.toWelcome().options()) w.bytes(o.tag(), o.value());
        assertEquals(INFO, ExportInfo.fromWelcome(roundTrip(w.build())));
    }

    @Test
    void knownOptionMarkedCriticalIsAccepted() throws DstException {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.HELLO);
        for (HandshakeFrame.Option o : HELLO.toFrame().options()) b.bytes(o.tag() | Tlv.CRITICAL, o.value());
        assertEquals(HELLO, Hello.fromFrame(roundTrip(b.build())));
    }

    @Test
    void unknownCriticalOptionIsRefusedByHello() {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.HELLO);
        for (HandshakeFrame.Option o : HELLO.toFrame().options()) b.bytes(o.tag(), o.value());
        b.bytes(Tlv.CRITICAL | 0x0777, new byte[]{1});
        DstException e = assertThrows(DstException.class, () -> Hello.fromFrame(roundTrip(b.build())));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertTrue(e.getMessage().contains("0x8777"), e.getMessage());
    }

    @Test
    void unknownCriticalOptionIsRefusedByWelcome() {
        HandshakeFrame.Builder b = HandshakeFrame.builder(HandshakeFrame.WELCOME);
        for (HandshakeFrame.Option o : INFO.toWelcome().options()) b.bytes(o.tag(), o.value());
        b.bytes(Tlv.CRITICAL | 0x0555, new byte[0]);
        DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(roundTrip(b.build())));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
    }

    @Test
    void helloWithoutVersionOrExportOrWithBadWidthsIsRefused() {
        DstException noVersion = assertThrows(DstException.class, () -> Hello.fromFrame(roundTrip(
                HandshakeFrame.builder(HandshakeFrame.HELLO).string(Tlv.EXPORT_NAME, "d").build())));
        assertEquals(Errno.EPROTO, noVersion.errno());
        DstException noExport = assertThrows(DstException.class, () -> Hello.fromFrame(roundTrip(
                HandshakeFrame.builder(HandshakeFrame.HELLO).u32(Tlv.PROTOCOL_VERSION, 0x00010001).build())));
        assertEquals(Errno.EINVAL, noExport.errno());
        DstException badWidth = assertThrows(DstException.class, () -> Hello.fromFrame(roundTrip(
                HandshakeFrame.builder(HandshakeFrame.HELLO).u32(Tlv.PROTOCOL_VERSION, 0x00010001)
                        .string(Tlv.EXPORT_NAME, "d").u64(Tlv.FEATURES, 1).build())));
        assertEquals(Errno.EPROTO, badWidth.errno());
    }

    @Test
    void helloWithDisjointVersionRangeIsRefused() {
        DstException e = assertThrows(DstException.class, () -> Hello.fromFrame(roundTrip(
                HandshakeFrame.builder(HandshakeFrame.HELLO).u32(Tlv.PROTOCOL_VERSION, (2 << 16) | 3)
                        .string(Tlv.EXPORT_NAME, "d").build())));
        assertEquals(Errno.EPROTO, e.errno());
        assertTrue(e.getMessage().contains("2..3"), e.getMessage());
    }

    @Test
    void encoderRefusesABodyOverTheMaximum() {
        HandshakeFrame f = HandshakeFrame.builder(HandshakeFrame.HELLO).bytes(1, new byte[0xFFFF]).bytes(2, new byte[0xFFFF]).build();
        EmbeddedChannel ch = new EmbeddedChannel(HandshakeEncoder.INSTANCE);
        var e = assertThrows(io.netty.handler.codec.EncoderException.class, () -> ch.writeOutbound(f));
        assertTrue(e.getCause() instanceof IllegalArgumentException, e.toString());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void welcomeWithImpossibleGeometryIsRefused() {
        ExportInfo odd = new ExportInfo("d", 1 << 20, 1024, 1 << 20, false, 0, 1, 1, 1);
        DstException e = assertThrows(DstException.class, () -> ExportInfo.fromWelcome(roundTrip(odd.toWelcome())));
        assertEquals(Errno.EPROTO, e.errno());
    }
}
