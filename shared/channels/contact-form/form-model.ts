/**
 * What the parser makes of a page's form: each control with the role it plays, the spam protections the form
 * carries, and whether the contact-form channel may fill it (docs/product.md §2 CONTACT_FORM).
 */

export const FIELD_ROLES = [
  'name',
  'first_name',
  'last_name',
  'email',
  'company',
  'phone',
  'subject',
  'message',
  'consent',
  'honeypot',
  'hidden',
  'other',
] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

/**
 * `image_captcha`: letters to copy from a picture (CF7 Really Simple CAPTCHA, Joomla, Securimage);
 * `question_captcha`: a sum or a question to answer ("3 + 0 = ?", "Please prove that you are human").
 */
export const PROTECTIONS = [
  'recaptcha',
  'hcaptcha',
  'turnstile',
  'image_captcha',
  'question_captcha',
  'honeypot',
  'js_token',
] as const;
export type Protection = (typeof PROTECTIONS)[number];
export const CAPTCHA_PROTECTIONS: readonly Protection[] = [
  'recaptcha',
  'hcaptcha',
  'turnstile',
  'image_captcha',
  'question_captcha',
];
/** Protections the channel never works around: a form guarded by one is left to a person (`form_spam_protected`). */
export const BLOCKING_PROTECTIONS: readonly Protection[] = [...CAPTCHA_PROTECTIONS, 'js_token'];

export type FormKind = 'contact' | 'other' | 'comment' | 'newsletter' | 'login' | 'search';

export interface FormField {
  name: string;
  /** Input type (`text`, `email`, `hidden`, `checkbox`…), or `textarea` / `select`. */
  type: string;
  role: FieldRole;
  required: boolean;
  /** The value the page gives the control (hidden fields, checkbox/radio values, the selected option). */
  value?: string;
  label?: string;
  /** Allowed values of a select, radio group or checkbox group. */
  options?: string[];
  /** For checkboxes and radios: whether the page pre-checks one. */
  checked?: boolean;
  maxLength?: number;
}

export interface ParsedForm {
  /** Absolute URL the form submits to (fragment kept as the page gives it). */
  action: string;
  method: 'GET' | 'POST' | 'DIALOG';
  enctype: 'application/x-www-form-urlencoded' | 'multipart/form-data' | 'text/plain';
  fields: FormField[];
  protections: Protection[];
  /** True when the contact-form channel may fill and submit this form. */
  submittable: boolean;
  reason?: string;
  kind: FormKind;
  score: number;
}
