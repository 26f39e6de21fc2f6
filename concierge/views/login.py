from django.contrib.auth import views as auth_views

from concierge.forms_auth import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("shared_tablet"):
            # A browser-session cookie; the idle timeout still ends the session on the server.
            self.request.session.set_expiry(0)
        return response
