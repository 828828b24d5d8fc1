package dev.baton.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tomlj.Toml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketLookupTest {

    /** What the client read with tomlj before: the string at baton.socket, else the default. */
    private static String parsed(String text) {
        Object value = Toml.parse(text).get("baton.socket");
        return value instanceof String s ? s : DaemonSettings.DEFAULT_SOCKET;
    }

    private static void agreesWithParser(String text) {
        Optional<String> scanned = SocketLookup.scan(text);
        assertTrue(scanned.isPresent(), () -> "expected an answer for:\n" + text);
        assertEquals(parsed(text), scanned.get(), text);
    }

    @Test
    void everyShippedExampleIsAnsweredAsTheParserWould() throws IOException {
        Path examples = Path.of("examples");
        try (Stream<Path> files = Files.walk(examples)) {
            long checked = files.filter(f -> f.toString().endsWith(".toml")).peek(f -> {
                try {
                    agreesWithParser(Files.readString(f));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).count();
            assertTrue(checked >= 2, "examples found: " + checked);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[baton]\nsocket = \"/run/baton/baton.sock\"\n",
            "[baton]\nsocket = '/run/b a#ton.sock'   # literal\n",
            "# [baton]\n# socket = \"no\"\n[program.web]\ncommand = \"x\"\n",
            "[program.web]\ncommand = \"python3 -c 'print(1)'\"\nsocket = \"not.this\"\n[baton]\nsocket = \"this\"\n",
            "[ baton ]\r\nlog_dir = \"logs\"\r\n  socket   =   \"crlf.sock\"\r\n",
            "[\"baton\"]\nsocket = \"quoted-table.sock\"\n",
            "[baton]\n\"socket\" = \"quoted-key.sock\"\n",
            "[baton]\nsocket = \"a.sock\"\n[baton.extra]\nsocket = \"b.sock\"\n",
            "[program.\"web.v2\"]\ncommand = \"x\"\nenvironment = { A = \"[baton]\", B = \"}\" }\n[baton]\nsocket = \"s\"\n",
            "[program.web]\nargs = [\"[baton]\", 'x'] # [baton]\n",
            "[[program.web.hooks]]\nx = 1\n",
            "[baton]\nsocket.path = \"weird\"\n",
    })
    void simpleLayoutsAreAnsweredAsTheParserWould(String text) {
        agreesWithParser(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "baton.socket = \"dotted.sock\"\n",
            "baton = { socket = \"inline.sock\" }\n",
            "\"baton\".socket = \"dotted.sock\"\n",
            "[baton]\nsocket = \"\"\"multi\nline\"\"\"\n",
            "[program.web]\ncommand = '''\n[baton]\n'''\n[baton]\nsocket = \"x\"\n",
            "[program.web]\nargs = [\n  \"a\",\n  [\"baton\"]\n]\n",
            "[baton]\nsocket = \"esc\\\\aped\"\n",
            "[baton]\nsocket = \"x\"\nsocket = \"y\"\n",
            "[baton]\nsocket = \"x\"\n[baton]\nlog_dir = \"y\"\n",
            "[[baton]]\nsocket = \"x\"\n",
            "[baton]\nsocket = 42\n",
            "[baton]\nsocket = \"x\" trailing\n",
            "[baton\nsocket = \"x\"\n",
            "[baton]\nsökét = \"x\"\n",
    })
    void anythingElseIsLeftToTheParser(String text) {
        assertFalse(SocketLookup.scan(text).isPresent(), text);
    }
}
