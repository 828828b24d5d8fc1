package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void unitsAreBinaryAndCaseInsensitive() {
        assertEquals(OptionalLong.of(100), ByteSize.parse("100B"));
        assertEquals(OptionalLong.of(512 * 1024), ByteSize.parse("512KB"));
        assertEquals(OptionalLong.of(512 * 1024), ByteSize.parse("512kb"));
        assertEquals(OptionalLong.of(50L * 1024 * 1024), ByteSize.parse("50Mb"));
        assertEquals(OptionalLong.of(1024L * 1024 * 1024), ByteSize.parse("1gB"));
    }

    @Test
    void bareNumbersAndBlanksAreAccepted() {
        assertEquals(OptionalLong.of(4096), ByteSize.parse("4096"));
        assertEquals(OptionalLong.of(2 * 1024 * 1024), ByteSize.parse(" 2 MB "));
        assertEquals(OptionalLong.of(0), ByteSize.parse("0KB"));
    }

    @Test
    void otherTextIsRejected() {
        assertEquals(OptionalLong.empty(), ByteSize.parse(""));
        assertEquals(OptionalLong.empty(), ByteSize.parse("MB"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("50 MiB"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("1.5GB"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("-1KB"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("1TB"));
    }

    @Test
    void sizesThatOverflowALongAreRejected() {
        assertEquals(OptionalLong.empty(), ByteSize.parse("99999999999999999999"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("9000000000000GB"));
    }
}
