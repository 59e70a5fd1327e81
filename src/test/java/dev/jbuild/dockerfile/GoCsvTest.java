package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Go's encoding/csv (and go-csvvalue) on one line; expected values are what Go's csv.Reader.Read returns. */
class GoCsvTest {

    @Test
    void fieldsAsGoReadsThem() throws Exception {
        Object[][] cases = {
            {"a", List.of("a")},
            {"a,b,c", List.of("a", "b", "c")},
            {"type=image,\"name=a,b\",push=true", List.of("type=image", "name=a,b", "push=true")},
            {"\"a\"\"b\",c", List.of("a\"b", "c")}, // "" inside quotes is one quote
            {"\"\"", List.of("")},
            {"\"\",\"\"", List.of("", "")},
            {"\"a,\"\"b\"\",c\"", List.of("a,\"b\",c")},
            {",", List.of("", "")},
            {"a,,b,", List.of("a", "", "b", "")}, // empty fields are kept, a trailing one too
            {" a , b ", List.of(" a ", " b ")}, // nothing is trimmed
            {"\"a b\" ", null}, // ... so a space after the closing quote is an error
            {"a\n", List.of("a")}, // one trailing newline goes
            {"a,b\r\n", List.of("a", "b")},
            {"\"x\ny\"", List.of("x\ny")},
            {"é,\"ü,ö\"", List.of("é", "ü,ö")},
        };
        for (Object[] c : cases) {
            String line = (String) c[0];
            if (c[1] == null) {
                assertThrows(GoCsv.ParseException.class, () -> GoCsv.fields(line), line);
            } else {
                assertEquals(c[1], GoCsv.fields(line), line);
            }
        }
    }

    @Test
    void errorsAreGosWithByteColumns() {
        String[][] cases = {
            {"", "EOF"},
            {"\n", "EOF"},
            {"a\"b", "parse error on line 1, column 2: bare \" in non-quoted-field"},
            {"dest=\"x\"", "parse error on line 1, column 6: bare \" in non-quoted-field"},
            // a space before the quote makes it a bare one: buildx refuses `type=image, "name=a,b"`
            {"type=image, \"name=a,b\"", "parse error on line 1, column 13: bare \" in non-quoted-field"},
            {"é\"", "parse error on line 1, column 3: bare \" in non-quoted-field"}, // é is two bytes
            {"\"abc", "parse error on line 1, column 5: extraneous or missing \" in quoted-field"},
            {"\"a\"b,c", "parse error on line 1, column 3: extraneous or missing \" in quoted-field"},
        };
        for (String[] c : cases) {
            GoCsv.ParseException e = assertThrows(GoCsv.ParseException.class, () -> GoCsv.fields(c[0]), c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
        }
    }
}
