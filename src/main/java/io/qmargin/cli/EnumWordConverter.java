package io.qmargin.cli;

import io.qmargin.EnumWords;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An option's enum value by its lower-case word ({@link EnumWords}), in any case; any other value
 * is refused with the words, as a config refuses a misspelt kind: "must be one of a, b, c; got
 * 'y'". picocli needs a class per enum: subclass it with the enum's class.
 */
abstract class EnumWordConverter<E extends Enum<E>> implements ITypeConverter<E> {
  private final Class<E> type;

  EnumWordConverter(Class<E> type) {
    this.type = type;
  }

  @Override
  public E convert(String value) {
    return EnumWords.find(type, value)
        .orElseThrow(
            () -> new TypeConversionException(EnumWords.notOneOf(EnumWords.list(type), value)));
  }
}
