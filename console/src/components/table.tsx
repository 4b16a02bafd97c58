import type { ComponentChildren } from 'preact';

/**
 * A plain data table: caption (its accessible name), header cells with scope, right-aligned numbers. The first
 * column is a row header so screen readers announce each row by it.
 */
export interface Column<T> {
  header: ComponentChildren;
  cell: (row: T) => ComponentChildren;
  numeric?: boolean;
}

export function DataTable<T>(props: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty?: ComponentChildren;
  /** Extra rows after the data (a "Total" row). */
  footer?: ComponentChildren;
}) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column, index) => (
            <th key={index} scope="col" class={column.numeric ? 'num' : undefined}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 ? (
          <tr>
            <td colSpan={props.columns.length} class="muted">
              {props.empty ?? 'Nothing yet.'}
            </td>
          </tr>
        ) : (
          props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column, index) =>
                index === 0 ? (
                  <th key={index} scope="row" class={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={index} class={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))
        )}
      </tbody>
      {props.footer ? <tfoot>{props.footer}</tfoot> : null}
    </table>
  );
}
