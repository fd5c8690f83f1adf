from django import forms
from django.utils.translation import gettext_lazy as _


class QuestionForm(forms.Form):
    body = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Asked in public: the answer helps everyone with the same question."))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
